using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Octopus.TestKit;

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

    private Slapd(string dir, int port, int? tlsPort)
    {
        _dir = dir;
        Port = port;
        TlsPort = tlsPort;
    }

    public int Port { get; }
    public string Url => $"ldap://127.0.0.1:{Port}";

    /// <summary>The ldaps:// port when started with TLS.</summary>
    public int? TlsPort { get; }
    public string LdapsUrl => $"ldaps://127.0.0.1:{TlsPort}";

    /// <summary>With TLS: a folder holding only the test's own CA certificate, in OpenSSL's hashed layout.</summary>
    public string CaDirectory => Path.Combine(_dir, "ca");
    public static string UserDn(string uid) => $"uid={uid},{People}";

    public static bool Installed => File.Exists("/usr/sbin/slapd") && File.Exists("/usr/bin/ldapadd") && File.Exists("/usr/lib/ldap/memberof.la");

    /// <param name="tls">Also listen on ldaps://, offer StartTLS, and refuse simple binds without TLS (<c>security
    /// simple_bind=128</c>); the certificate (for 127.0.0.1 and localhost) is signed by a CA made here with openssl.</param>
    public static async Task<Slapd> StartAsync(bool tls = false)
    {
        Assert.SkipUnless(Installed, "slapd / ldap-utils are not installed (scripts/install-deps installs them).");
        var dir = Directory.CreateTempSubdirectory("octopus-slapd-").FullName;
        var slapd = new Slapd(dir, TestProcesses.FreeLoopbackPort(), tls ? TestProcesses.FreeLoopbackPort() : null);
        Directory.CreateDirectory(Path.Combine(dir, "db"));
        var tlsConfig = tls ? await MakeCertificatesAsync(dir) : "";
        await File.WriteAllTextAsync(Path.Combine(dir, "slapd.conf"), $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            moduleload memberof
            pidfile {dir}/slapd.pid
            {tlsConfig}
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

    /// <summary>A CA and a server certificate signed by it (openssl), and the slapd.conf lines that use them.</summary>
    private static async Task<string> MakeCertificatesAsync(string dir)
    {
        var tls = Directory.CreateDirectory(Path.Combine(dir, "tls")).FullName;
        var ca = Directory.CreateDirectory(Path.Combine(dir, "ca")).FullName;
        string F(string name) => Path.Combine(tls, name);
        await File.WriteAllTextAsync(F("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        await RunAsync("/usr/bin/openssl", "", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", F("ca.key"), "-out", F("ca.pem"), "-days", "2", "-subj", "/CN=Octopus test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        await RunAsync("/usr/bin/openssl", "", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", F("server.key"), "-out", F("server.csr"), "-subj", "/CN=localhost");
        await RunAsync("/usr/bin/openssl", "", "x509", "-req", "-in", F("server.csr"), "-CA", F("ca.pem"), "-CAkey", F("ca.key"),
            "-CAcreateserial", "-out", F("server.pem"), "-days", "2", "-extfile", F("server.ext"));
        File.Copy(F("ca.pem"), Path.Combine(ca, "octopus-test-ca.pem"));
        await RunAsync("/usr/bin/openssl", "", "rehash", ca);
        return $"""
            TLSCACertificateFile {F("ca.pem")}
            TLSCertificateFile {F("server.pem")}
            TLSCertificateKeyFile {F("server.key")}
            security simple_bind=128
            """;
    }

    /// <summary>Starts (or restarts) slapd in the foreground (<c>-d 0</c>) and waits until it accepts connections.</summary>
    public async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("/usr/sbin/slapd") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var listen = TlsPort is null ? Url + "/" : $"{Url}/ {LdapsUrl}/";
        foreach (var a in new[] { "-f", Path.Combine(_dir, "slapd.conf"), "-h", listen, "-d", "0" }) start.ArgumentList.Add(a);
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
    public Task AddAsync(string ldif) => AsRootAsync("/usr/bin/ldapadd", ldif);

    /// <summary>ldapmodify as the root DN (e.g. to take a user out of a group).</summary>
    public Task ModifyAsync(string ldif) => AsRootAsync("/usr/bin/ldapmodify", ldif);

    /// <summary>With TLS, over StartTLS (-ZZ) trusting the test's CA, as the directory refuses plain binds.</summary>
    private Task AsRootAsync(string program, string ldif) => TlsPort is null
        ? RunAsync(program, ldif, "-x", "-H", Url, "-D", RootDn, "-w", RootPassword)
        : RunAsync(program, ldif, new Dictionary<string, string> { ["LDAPTLS_CACERT"] = Path.Combine(_dir, "tls", "ca.pem") },
            "-x", "-ZZ", "-H", Url, "-D", RootDn, "-w", RootPassword);

    private static Task RunAsync(string program, string stdin, params string[] args) => RunAsync(program, stdin, new Dictionary<string, string>(), args);

    private static async Task RunAsync(string program, string stdin, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var (key, value) in environment) start.Environment[key] = value;
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
