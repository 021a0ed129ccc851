using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>A real OpenLDAP <c>slapd</c> on a free loopback port with its own config and database in a temp folder
/// (slapd.conf, mdb, the memberOf overlay), run in the foreground as the test's own user and stopped by PID. Seeded
/// with ldapadd, so the overlay fills memberOf: base dc=octopus,dc=test; alice (octopus-admins and octopus-users; the admins group also lists the
/// service account, as groupOfNames needs a member when alice is taken out),
/// bob (octopus-users), carol (no group); a service account that may read people and groups.
/// Needs Debian's slapd and ldap-utils (scripts/install-deps); skips the test when they are missing.</summary>
public sealed class Slapd : IAsyncDisposable
{
    public const string Base = "dc=octopus,dc=test";
    public const string People = "ou=people," + Base;
    public const string GroupsBase = "ou=groups," + Base;
    public const string AdminsGroup = "cn=octopus-admins," + GroupsBase;
    public const string UsersGroup = "cn=octopus-users," + GroupsBase;
    public const string ServiceDn = "cn=octopus-service," + Base;
    public const string ServicePassword = "service-secret";
    private const string RootDn = "cn=root," + Base;
    private const string RootPassword = "root-secret";

    private readonly string _dir;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private Slapd(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"ldap://127.0.0.1:{Port}";
    public static string UserDn(string uid) => $"uid={uid},{People}";

    public static bool Installed => File.Exists("/usr/sbin/slapd") && File.Exists("/usr/bin/ldapadd") && File.Exists("/usr/lib/ldap/memberof.la");

    public static async Task<Slapd> StartAsync()
    {
        Assert.SkipUnless(Installed, "slapd / ldap-utils are not installed (scripts/install-deps installs them).");
        var dir = Directory.CreateTempSubdirectory("octopus-slapd-").FullName;
        var slapd = new Slapd(dir, TestProcesses.FreeLoopbackPort());
        Directory.CreateDirectory(Path.Combine(dir, "db"));
        await File.WriteAllTextAsync(Path.Combine(dir, "slapd.conf"), $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            moduleload memberof
            pidfile {dir}/slapd.pid
            database mdb
            maxsize 10485760
            suffix "{Base}"
            rootdn "{RootDn}"
            rootpw {RootPassword}
            directory {dir}/db
            overlay memberof
            access to attrs=userPassword by self write by anonymous auth by * none
            access to * by dn.exact="{ServiceDn}" read by self read by anonymous auth by * none
            """);
        await slapd.LaunchAsync();
        try
        {
            await slapd.AddAsync($"""
                dn: {Base}
                objectClass: dcObject
                objectClass: organization
                o: octopus
                dc: octopus

                dn: {ServiceDn}
                objectClass: person
                cn: octopus-service
                sn: service
                userPassword: {ServicePassword}

                dn: {People}
                objectClass: organizationalUnit
                ou: people

                dn: {GroupsBase}
                objectClass: organizationalUnit
                ou: groups

                {Person("alice", "Alice", "alice-directory-pw")}
                {Person("bob", "Bob", "bob-directory-pw")}
                {Person("carol", "Carol", "carol-directory-pw")}
                dn: {AdminsGroup}
                objectClass: groupOfNames
                cn: octopus-admins
                member: {UserDn("alice")}
                member: {ServiceDn}

                dn: {UsersGroup}
                objectClass: groupOfNames
                cn: octopus-users
                member: {UserDn("bob")}
                member: {UserDn("alice")}

                """);
        }
        catch
        {
            await slapd.DisposeAsync();
            throw;
        }
        return slapd;
    }

    private static string Person(string uid, string cn, string password) => $"""
        dn: {UserDn(uid)}
        objectClass: inetOrgPerson
        uid: {uid}
        cn: {cn}
        sn: {cn}
        userPassword: {password}


        """;

    /// <summary>Starts (or restarts) slapd in the foreground (<c>-d 0</c>) and waits until it accepts connections.</summary>
    public async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("/usr/sbin/slapd") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-f", Path.Combine(_dir, "slapd.conf"), "-h", Url + "/", "-d", "0" }) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"slapd exited with {_process.ExitCode}:\n{Log}");
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>Stops slapd by its PID (the directory "goes down"); <see cref="LaunchAsync"/> brings it back.</summary>
    public async Task StopAsync()
    {
        await TestProcesses.StopAsync(_process);
        _process = null;
    }

    /// <summary>ldapadd as the root DN.</summary>
    public Task AddAsync(string ldif) => RunAsync("/usr/bin/ldapadd", ldif, "-x", "-H", Url, "-D", RootDn, "-w", RootPassword);

    /// <summary>ldapmodify as the root DN (e.g. to take a user out of a group).</summary>
    public Task ModifyAsync(string ldif) => RunAsync("/usr/bin/ldapmodify", ldif, "-x", "-H", Url, "-D", RootDn, "-w", RootPassword);

    private static async Task RunAsync(string program, string stdin, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {await error}{await output}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
