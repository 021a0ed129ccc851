using System.DirectoryServices.Protocols;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Application.Configuration;

namespace Octopus.Application.Identity;

/// <summary>Checks passwords against an LDAP directory (OpenLDAP or Active Directory): binds as the service account,
/// finds the user with <see cref="LdapSettings.UserFilter"/>, binds as the user with the password, and reads their groups
/// (the entry's <see cref="LdapSettings.GroupAttribute"/> plus a <see cref="LdapSettings.GroupFilter"/> search).
/// A user is created at their first login (just in time) with the directory DN as external id; their role follows the
/// mapped groups at every login (taken out of the admin group = no longer admin), their quota starts as the first
/// mapped group's (else the server's default). A directory that cannot be asked is
/// <see cref="IdentityProviderUnavailableException"/> (503); local users never come here (<see cref="IdentityProviders"/>).</summary>
public sealed partial class LdapIdentityProvider(OctopusDbContext db, LdapSettings settings, Microsoft.Extensions.Options.IOptions<QuotaOptions> defaultQuota, TimeProvider time,
    ILogger<LdapIdentityProvider> log) : IIdentityProvider
{
    public const string ProviderName = "ldap";
    private const int InvalidCredentials = 49;

    public string Name => ProviderName;

    public async Task<AuthenticationResult> AuthenticateAsync(UserName name, string password, CancellationToken ct)
    {
        // An empty password would be an "unauthenticated bind", which LDAP servers accept: never ask.
        if (string.IsNullOrEmpty(password)) return AuthenticationResult.Failed;
        // The LDAP library is synchronous; keep the request thread free.
        var found = await Task.Run(() => Check(name, password), ct);
        if (found is null) return AuthenticationResult.Failed;
        var (dn, groups) = found.Value;

        var mapped = settings.Groups.Where(g => groups.Contains(LdapDn.Normalize(g.Dn))).ToList();
        if (settings.Groups.Count > 0 && mapped.Count == 0)
            throw new DomainException(ErrorKind.Forbidden, "auth.no-group",
                $"'{name}' is in none of the directory groups that give access to Octopus; ask an administrator to add you to one.");
        var role = mapped.Any(g => g.Role == UserRole.Admin) ? UserRole.Admin : UserRole.User;

        var user = await db.Users.FirstOrDefaultAsync(u => u.Provider == ProviderName && u.ExternalId == dn, ct)
                   ?? await db.Users.FirstOrDefaultAsync(u => u.Name == name, ct);
        if (user is null)
        {
            var quota = mapped.Select(g => g.Quota).FirstOrDefault(q => q is not null)
                        ?? (role == UserRole.Admin ? Quota.Unlimited : defaultQuota.Value.ToQuota());
            user = User.FromDirectory(name, ProviderName, dn, role, quota, time.GetUtcNow());
            db.Users.Add(user);
            LogCreated(log, name.Value, dn, role);
        }
        else if (user.Provider != ProviderName)
        {
            return AuthenticationResult.Failed; // a local user of that name: IdentityProviders sends those to the store
        }
        else
        {
            if (user.Role != role) LogRoleChanged(log, user.Name.Value, user.Role, role);
            user.SetRole(role);
            user.LinkDirectoryEntry(dn);
        }
        return new AuthenticationResult(user);
    }

    /// <summary>The user's DN and their groups (normalised DNs) when the password is right; null when the user is unknown,
    /// ambiguous or the password wrong.</summary>
    private (string Dn, HashSet<string> Groups)? Check(UserName name, string password)
    {
        var step = "connect";
        try
        {
            using var service = Connect();
            step = "bind as the service account";
            service.Bind(settings.BindDn is { } bindDn ? new NetworkCredential(bindDn, settings.BindPassword) : new NetworkCredential("", ""));

            step = "search for the user";
            var filter = settings.UserFilter.Replace("{0}", EscapeFilter(name.Value), StringComparison.Ordinal);
            var attributes = settings.GroupAttribute is { } attribute ? new[] { attribute } : ["1.1"];
            var search = new SearchRequest(settings.SearchBase, filter, SearchScope.Subtree, attributes) { SizeLimit = 2 };
            var found = Search(service, search);
            step = "bind as the user";
            if (found.Entries.Count != 1)
            {
                // Unknown, or ambiguous (never guess which one): still bind once, so the answer takes as long as for a
                // known name with a wrong password.
                using var dummy = Connect();
                TryBindAsUser(dummy, $"cn=octopus-no-such-user,{settings.SearchBase}", password);
                return null;
            }
            var entry = found.Entries[0];
            using (var asUser = Connect())
            {
                if (!TryBindAsUser(asUser, entry.DistinguishedName, password)) return null;
            }

            step = "read the user's groups";
            var groups = new HashSet<string>(StringComparer.Ordinal);
            if (settings.GroupAttribute is { } a && entry.Attributes[a] is { } values)
                foreach (var value in values.GetValues(typeof(string))) groups.Add(LdapDn.Normalize((string)value));
            if (settings.GroupFilter is { } groupFilter)
            {
                var byMember = new SearchRequest(settings.GroupSearchBase,
                    groupFilter.Replace("{0}", EscapeFilter(entry.DistinguishedName), StringComparison.Ordinal), SearchScope.Subtree, "1.1");
                foreach (SearchResultEntry g in Search(service, byMember).Entries) groups.Add(LdapDn.Normalize(g.DistinguishedName));
            }
            return (entry.DistinguishedName, groups);
        }
        catch (Exception e) when (e is LdapException or DirectoryOperationException)
        {
            var why = Explain(e, step);
            LogUnavailable(log, settings.Url, step, why, e.Message);
            throw new IdentityProviderUnavailableException($"The directory could not be asked ({why}).", e);
        }
    }

    /// <summary>A search that treats "size limit exceeded" (more than one match) as the two entries it returned.</summary>
    private static SearchResponse Search(LdapConnection connection, SearchRequest request)
    {
        try { return (SearchResponse)connection.SendRequest(request); }
        catch (DirectoryOperationException e) when (e.Response is SearchResponse { ResultCode: ResultCode.SizeLimitExceeded } partial)
        {
            return partial;
        }
    }

    private static bool TryBindAsUser(LdapConnection connection, string dn, string password)
    {
        try
        {
            connection.Bind(new NetworkCredential(dn, password));
            return true;
        }
        catch (LdapException e) when (e.ErrorCode == InvalidCredentials)
        {
            return false;
        }
    }

    /// <summary>What went wrong, in words an administrator can act on (the details, with the URL, go to the log).</summary>
    private string Explain(Exception e, string step) => e switch
    {
        LdapException { ErrorCode: InvalidCredentials } =>
            "it refused the service account's password; check Octopus:Identity:Ldap:BindDn and its password",
        DirectoryOperationException { Response.ResultCode: ResultCode.NoSuchObject } =>
            $"the search base does not exist; check Octopus:Identity:Ldap:{(step.Contains("groups", StringComparison.Ordinal) ? "GroupSearchBase" : "SearchBase")}",
        DirectoryOperationException { Response.ResultCode: ResultCode.InsufficientAccessRights } =>
            "the service account may not search there; check its access rights in the directory",
        DirectoryOperationException { Response.ResultCode: ResultCode.TimeLimitExceeded } or LdapException { ErrorCode: 85 or -5 } =>
            $"it did not answer within {settings.Timeout}",
        // A refused bind comes without a Response; only its message carries the result (confidentialityRequired, 13).
        DirectoryOperationException { Response: null } d when d.Message.Contains("onfidentiality", StringComparison.Ordinal) => RequiresTls,
        LdapException { ErrorCode: 13 } or DirectoryOperationException { Response.ResultCode: ResultCode.ConfidentialityRequired } => RequiresTls,
        LdapException { ErrorCode: 87 or -7 } =>
            "it rejected the search filter; check Octopus:Identity:Ldap:UserFilter and GroupFilter",
        LdapException { Message: AnonymousRefused } => AnonymousRefused,
        _ when settings.StartTls =>
            $"{step} failed: the server is down or unreachable, does not offer StartTLS, or its TLS certificate is not trusted (check Octopus:Identity:Ldap:CaCertificatesDirectory)",
        _ when settings.Ssl =>
            $"{step} failed: the server is down, unreachable, or its TLS certificate is not trusted (check Octopus:Identity:Ldap:CaCertificatesDirectory)",
        _ => $"{step} failed: the server is down or unreachable",
    };

    private const string RequiresTls = "it requires TLS; use an ldaps:// URL (port 636) or StartTls";
    private const int InappropriateAuthentication = 48, UnwillingToPerform = 53;

    private const string AnonymousRefused = "it refused the anonymous bind that opens the connection before StartTLS " +
        "(the LDAP library Octopus uses on Linux cannot start TLS on a connection it has not opened); allow anonymous binds " +
        "or use an ldaps:// URL (port 636)";

    private LdapConnection Connect()
    {
        var connection = LdapNativeTimeouts.Create(new LdapDirectoryIdentifier(settings.Host, settings.Port), settings.Timeout);
        connection.SessionOptions.ProtocolVersion = 3;
        connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None; // AD answers with referrals Octopus does not follow
        if (settings.CaCertificatesDirectory is { } ca && !OperatingSystem.IsWindows()) // LdapSettings refuses it on Windows
        {
            connection.SessionOptions.TrustedCertificatesDirectory = ca;
            connection.SessionOptions.StartNewTlsSessionContext();
        }
        if (settings.Ssl) connection.SessionOptions.SecureSocketLayer = true;
        if (settings.StartTls)
        {
            // On Linux, System.DirectoryServices.Protocols opens the connection on its first operation, and StartTLS
            // asked before that fails with "server unavailable" (dotnet/runtime#96988). An anonymous bind (no name, no
            // password: nothing secret crosses in clear) opens it; StartTLS then upgrades it before any credential is sent.
            try
            {
                connection.Bind(new NetworkCredential("", ""));
            }
            catch (LdapException e) when (e.ErrorCode is InappropriateAuthentication or UnwillingToPerform)
            {
                connection.Dispose();
                throw new LdapException(e.ErrorCode, AnonymousRefused, e);
            }
            connection.SessionOptions.StartTransportLayerSecurity(null);
        }
        return connection;
    }

    /// <summary>RFC 4515 escaping, so a login name (or DN) can never change the filter's meaning.</summary>
    internal static string EscapeFilter(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\\' => @"\5c",
                '*' => @"\2a",
                '(' => @"\28",
                ')' => @"\29",
                '\0' => @"\00",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "created user {Name} from the directory ({Dn}) as {Role}")]
    private static partial void LogCreated(ILogger logger, string name, string dn, UserRole role);

    [LoggerMessage(Level = LogLevel.Information, Message = "user {Name}: role {Old} → {New} from directory groups")]
    private static partial void LogRoleChanged(ILogger logger, string name, UserRole old, UserRole @new);

    [LoggerMessage(Level = LogLevel.Warning, Message = "directory {Url}: {Step}: {Why} ({Error})")]
    private static partial void LogUnavailable(ILogger logger, string url, string step, string why, string error);
}
