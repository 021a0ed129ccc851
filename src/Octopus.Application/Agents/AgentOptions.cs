using Microsoft.Extensions.Options;
using Octopus.Application.Configuration;

namespace Octopus.Application.Agents;

/// <summary>Section <c>Octopus:Agents</c>, used with the qemu driver (<c>Octopus:Driver</c>): <c>JoinToken</c> (required
/// then; what agents present to register, e.g. from the environment variable <c>Octopus__Agents__JoinToken</c>) and
/// <c>HeartbeatTimeout</c> (a host whose agent is silent this long is marked Failed; 3 s to 10 min, default 15 s).</summary>
public sealed class AgentOptions
{
    public const string Section = "Octopus:Agents";

    /// <summary>The cluster join token agents present to register (16 characters at least).</summary>
    public string JoinToken { get; set; } = "";

    /// <summary>How long an agent may be silent before its host is marked Failed.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Checks <see cref="AgentOptions"/>; the join token is required only when agents run the VMs.</summary>
public sealed class AgentOptionsValidator(IOptions<ServerOptions> server) : SectionValidator<AgentOptions>(AgentOptions.Section)
{
    protected override void Check(AgentOptions o, Action<string, string> fail)
    {
        if (server.Value.AgentsRunVms && (o.JoinToken ?? "").Trim().Length < 16)
            fail(nameof(o.JoinToken), "the qemu driver needs a cluster join token of at least 16 characters for agents to register (set Octopus__Agents__JoinToken).");
        Range(o.HeartbeatTimeout, TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(10), nameof(o.HeartbeatTimeout), fail);
    }
}
