using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Application.Configuration;

namespace Octopus.Application.Identity;

/// <summary>The <c>Octopus:Identity:Ldap</c> section, as written.</summary>
public sealed class LdapSection
{
    public const string Section = "Octopus:Identity:Ldap";
    public string? Url { get; set; }
    public bool StartTls { get; set; }
    public string? CaCertificatesDirectory { get; set; }
    public string? BindDn { get; set; }
    public string? BindPassword { get; set; }
    public string? BindPasswordFile { get; set; }
    public string? SearchBase { get; set; }
    public string? UserFilter { get; set; }
    public string? GroupSearchBase { get; set; }
    public string? GroupFilter { get; set; }
    public string? GroupAttribute { get; set; }
    public TimeSpan? Timeout { get; set; }
    public List<LdapGroupSection>? Groups { get; set; }
}

/// <summary>One directory group's meaning in Octopus: its role, and the quota its members get when first created.</summary>
public sealed class LdapGroupSection
{
    public string? Dn { get; set; }
    public string? Role { get; set; }
    public LdapGroupQuotaSection? Quota { get; set; }
}

/// <summary>Limits as written in a directory group's <c>Quota</c>; a limit left out is unlimited.</summary>
public sealed class LdapGroupQuotaSection
{
    public int? MaxCores { get; set; }
    public string? MaxMemory { get; set; }
    public string? MaxDisk { get; set; }
    public int? MaxVms { get; set; }
}

/// <summary>A mapped directory group. <see cref="Dn"/> is kept as written; <see cref="LdapDn.Normalize"/> compares.</summary>
public sealed record LdapGroupMapping(string Dn, UserRole Role, Quota? Quota);

/// <summary>Validated LDAP settings (OpenLDAP or Active Directory).</summary>
/// <param name="Host">Directory host name or address, from <c>Url</c>.</param>
/// <param name="Port">389 for ldap://, 636 for ldaps:// unless the URL names one.</param>
/// <param name="Ssl">ldaps:// (TLS from the first byte).</param>
/// <param name="StartTls">Upgrade an ldap:// connection with StartTLS before anything is sent.</param>
/// <param name="CaCertificatesDirectory">Folder of CA certificates in OpenSSL's hashed layout (<c>openssl rehash</c>)
/// trusted for the directory's certificate; null trusts the system's CAs.</param>
/// <param name="BindDn">The service account that searches for users; null binds anonymously.</param>
/// <param name="BindPassword">The service account's password (<c>BindPassword</c>, or read from <c>BindPasswordFile</c>).</param>
/// <param name="SearchBase">The subtree searched for users.</param>
/// <param name="UserFilter">Finds the user; <c>{0}</c> is the escaped login name: <c>(uid={0})</c> (OpenLDAP, the
/// default) or <c>(sAMAccountName={0})</c> (Active Directory).</param>
/// <param name="GroupSearchBase">The subtree searched for groups; default <paramref name="SearchBase"/>.</param>
/// <param name="GroupFilter">Finds the groups that list the user; <c>{0}</c> is the user's escaped DN; default
/// <c>(member={0})</c>; empty skips the search (then only <paramref name="GroupAttribute"/> counts).</param>
/// <param name="GroupAttribute">Attribute of the user's entry listing their groups (Active Directory and OpenLDAP's
/// memberOf overlay); default <c>memberOf</c>; empty skips it.</param>
/// <param name="Timeout">How long one directory call may take (connect, bind or search), 0.1 s to 1 min.</param>
/// <param name="Groups">Group → role and first-login quota, in priority order (the first mapped group with a quota gives
/// it). When not empty, only members of a mapped group may log in.</param>
public sealed record LdapSettings(string Host, int Port, bool Ssl, bool StartTls, string? CaCertificatesDirectory, string? BindDn,
    string? BindPassword, string SearchBase, string UserFilter, string GroupSearchBase, string? GroupFilter, string? GroupAttribute,
    TimeSpan Timeout, IReadOnlyList<LdapGroupMapping> Groups)
{
    public string Url => $"{(Ssl ? "ldaps" : "ldap")}://{Host}:{Port}";

    /// <summary>Reads and checks <c>Octopus:Identity:Ldap</c>; throws <see cref="ConfigurationException"/> naming the key.</summary>
    /// <param name="configuration">The server's configuration.</param>
    /// <param name="readFile">Reads <c>BindPasswordFile</c> (tests pass their own).</param>
    public static LdapSettings From(IConfiguration configuration, Func<string, string>? readFile = null) =>
        From(OctopusSections.Bind<LdapSection>(configuration, LdapSection.Section), readFile);

    /// <summary>Checks the bound <c>Octopus:Identity:Ldap</c> section; throws <see cref="ConfigurationException"/> naming the key.</summary>
    public static LdapSettings From(LdapSection s, Func<string, string>? readFile = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        const string k = LdapSection.Section;
        readFile ??= File.ReadAllText;

        if (string.IsNullOrWhiteSpace(s.Url) || !Uri.TryCreate(s.Url.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("ldap" or "ldaps")
            || string.IsNullOrEmpty(url.Host) || url.AbsolutePath is not ("" or "/"))
            throw new ConfigurationException($"{k}:Url", $"'{s.Url}' is not an LDAP server URL; write e.g. ldap://dc1.example.org or ldaps://dc1.example.org:636.");
        var ssl = url.Scheme == "ldaps";
        if (ssl && s.StartTls) throw new ConfigurationException($"{k}:StartTls", "StartTls upgrades ldap:// connections; an ldaps:// URL is already TLS, so remove one of them.");
        if (s.CaCertificatesDirectory is { } ca)
        {
            if (OperatingSystem.IsWindows())
                throw new ConfigurationException($"{k}:CaCertificatesDirectory", "on Windows the directory's CA must be in the Windows certificate store; remove this key.");
            if (!Directory.Exists(ca)) throw new ConfigurationException($"{k}:CaCertificatesDirectory", $"the folder {ca} does not exist.");
            if (!ssl && !s.StartTls) throw new ConfigurationException($"{k}:CaCertificatesDirectory", "CA certificates need TLS: use an ldaps:// URL, or set StartTls.");
        }
        if (string.IsNullOrWhiteSpace(s.SearchBase))
            throw new ConfigurationException($"{k}:SearchBase", "name the subtree where users are searched, e.g. ou=people,dc=example,dc=org.");
        var userFilter = Filter($"{k}:UserFilter", s.UserFilter ?? "(uid={0})", "the login name", "(uid={0}) or (sAMAccountName={0})")!;
        var groupFilter = s.GroupFilter is "" ? null : Filter($"{k}:GroupFilter", s.GroupFilter ?? "(member={0})", "the user's DN", "(member={0}), or \"\" for none");

        var password = s.BindPassword;
        if (s.BindPasswordFile is { } file)
        {
            if (password is not null) throw new ConfigurationException($"{k}:BindPasswordFile", "give BindPassword or BindPasswordFile, not both.");
            try { password = readFile(file).TrimEnd('\r', '\n'); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"{k}:BindPasswordFile", $"cannot read {file}: {e.Message}");
            }
        }
        if (s.BindDn is not null && string.IsNullOrEmpty(password))
            throw new ConfigurationException($"{k}:BindPassword", "the service account (BindDn) needs BindPassword or BindPasswordFile.");
        if (s.BindDn is null && password is not null)
            throw new ConfigurationException($"{k}:BindDn", "a bind password was given without BindDn, the service account it belongs to.");

        var timeout = s.Timeout ?? TimeSpan.FromSeconds(5);
        if (timeout < TimeSpan.FromMilliseconds(100) || timeout > TimeSpan.FromMinutes(1))
            throw new ConfigurationException($"{k}:Timeout", $"{timeout} is out of range (00:00:00.1 to 00:01:00).");

        var groups = new List<LdapGroupMapping>();
        for (var i = 0; i < (s.Groups?.Count ?? 0); i++)
        {
            var g = s.Groups![i];
            if (string.IsNullOrWhiteSpace(g.Dn)) throw new ConfigurationException($"{k}:Groups:{i}:Dn", "name the group's DN, e.g. cn=octopus-admins,ou=groups,dc=example,dc=org.");
            var role = (g.Role ?? "user").Trim().ToLowerInvariant() switch
            {
                "user" => UserRole.User,
                "admin" => UserRole.Admin,
                var other => throw new ConfigurationException($"{k}:Groups:{i}:Role", $"'{other}' is not a role; use user or admin."),
            };
            Quota? quota = null;
            if (g.Quota is { } q)
            {
                try
                {
                    quota = Quota.Create(q.MaxCores, q.MaxMemory is null ? null : ByteSize.Parse(q.MaxMemory),
                        q.MaxDisk is null ? null : ByteSize.Parse(q.MaxDisk), q.MaxVms);
                }
                catch (Exception e) when (e is Domain.DomainException or FormatException)
                {
                    throw new ConfigurationException($"{k}:Groups:{i}:Quota", e.Message);
                }
            }
            groups.Add(new LdapGroupMapping(g.Dn.Trim(), role, quota));
        }
        var twice = groups.GroupBy(g => LdapDn.Normalize(g.Dn)).FirstOrDefault(x => x.Count() > 1);
        if (twice is not null) throw new ConfigurationException($"{k}:Groups", $"the group {twice.First().Dn} is mapped twice; keep one entry.");

        return new LdapSettings(url.Host, url.IsDefaultPort || url.Port <= 0 ? (ssl ? 636 : 389) : url.Port, ssl, s.StartTls, s.CaCertificatesDirectory,
            s.BindDn, password, s.SearchBase.Trim(), userFilter, string.IsNullOrWhiteSpace(s.GroupSearchBase) ? s.SearchBase.Trim() : s.GroupSearchBase.Trim(),
            groupFilter, s.GroupAttribute is "" ? null : (s.GroupAttribute ?? "memberOf").Trim(), timeout, groups);
    }

    /// <summary>A filter with exactly one <c>{0}</c> inside balanced parentheses.</summary>
    private static string Filter(string key, string filter, string what, string example)
    {
        filter = filter.Trim();
        var depth = 0;
        var balanced = true;
        foreach (var c in filter)
        {
            depth += c switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth < 0) balanced = false;
        }
        var holes = filter.Split("{0}").Length - 1;
        if (!filter.StartsWith('(') || !filter.EndsWith(')') || !balanced || depth != 0 || holes != 1)
            throw new ConfigurationException(key, $"'{filter}' must be an LDAP filter in parentheses with one {{0}} for {what}, e.g. {example}.");
        return filter;
    }
}

/// <summary>Distinguished names as Octopus compares them: case-insensitive, without spaces around ',' and '='.</summary>
public static class LdapDn
{
    public static string Normalize(string dn)
    {
        var parts = dn.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            parts[i] = eq < 0 ? parts[i].Trim() : parts[i][..eq].Trim() + "=" + parts[i][(eq + 1)..].Trim();
        }
        return string.Join(',', parts).ToLowerInvariant();
    }
}
