namespace Octopus.Drivers.Power.Ipmi;

/// <summary>One host's BMC as <c>ipmitool -I lanplus</c> reaches it. The password goes to ipmitool through the
/// <c>IPMI_PASSWORD</c> environment variable (<c>-E</c>), never on its command line.</summary>
public sealed record IpmiTarget(string Address, string User, string Password, int Port = IpmiTarget.DefaultPort)
{
    /// <summary>RMCP's well-known UDP port.</summary>
    public const int DefaultPort = 623;

    /// <summary>What is wrong with this target, one sentence per problem (empty when usable).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Address)) problems.Add("the BMC address is empty; give its IP address or host name.");
        else if (Address.StartsWith('-') || Address.Any(char.IsWhiteSpace))
            problems.Add($"'{Address}' is not a BMC address; give an IP address or host name.");
        if (Port is < 1 or > 65535) problems.Add($"port {Port} is out of range; IPMI listens on UDP 623 unless the BMC says otherwise (1-65535).");
        if (string.IsNullOrEmpty(User)) problems.Add("the BMC user is empty; give the BMC account's user name.");
        else if (User.Length > 16) problems.Add("the BMC user is longer than 16 characters, which IPMI does not allow.");
        if (System.Text.Encoding.UTF8.GetByteCount(Password ?? "") > 20)
            problems.Add("the BMC password is longer than 20 bytes, which IPMI 2.0 does not allow.");
        return problems;
    }

    /// <summary>Never shows the password.</summary>
    public override string ToString() => $"{User}@{Address}:{Port}";
}

/// <summary>How ipmitool is run. Valid ranges: <see cref="RetryInterval"/> 1-60 s, <see cref="Retries"/> 0-10,
/// <see cref="CommandTimeout"/> longer than the retries take.</summary>
public sealed record IpmiOptions
{
    /// <summary>The ipmitool binary.</summary>
    public string ToolPath { get; init; } = "/usr/bin/ipmitool";

    /// <summary>RMCP+ cipher suite (<c>-C</c>). 3 (HMAC-SHA1, AES-128) is what most BMCs, and ipmi_sim, accept; some
    /// newer BMCs want 17. Null lets ipmitool ask the BMC, which costs ~10 s on BMCs that cannot answer.</summary>
    public int? CipherSuite { get; init; } = 3;

    /// <summary>ipmitool's wait for each answer (<c>-N</c>).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>ipmitool's retries (<c>-R</c>).</summary>
    public int Retries { get; init; } = 3;

    /// <summary>How long one ipmitool run may take before it is killed and the call fails with
    /// <see cref="PowerFault.Timeout"/>.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
