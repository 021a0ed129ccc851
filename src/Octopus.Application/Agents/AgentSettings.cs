using Octopus.Application.Configuration;
using Octopus.Drivers.Agent;

namespace Octopus.Application.Agents;

/// <summary>Which driver runs VMs (<c>Octopus:Driver</c>: <c>simulated</c>, the default, or <c>qemu</c>) and, with qemu, the
/// <c>Octopus:Agents</c> section: <c>JoinToken</c> (required; what agents present to register, e.g. from the environment
/// variable <c>Octopus__Agents__JoinToken</c>) and <c>HeartbeatTimeout</c> (a host whose agent is silent this long is
/// marked Failed; 3 s to 10 min, default 15 s).</summary>
public sealed record AgentSettings(bool Enabled, string JoinToken, TimeSpan HeartbeatTimeout)
{
    public static AgentSettings From(IConfiguration configuration, ServerSettings server)
    {
        var driver = configuration["Octopus:Driver"]?.Trim().ToLowerInvariant();
        var enabled = driver switch
        {
            null or "" or "simulated" => false,
            "qemu" => true,
            _ => throw new ConfigurationException("Octopus:Driver", $"'{driver}' is not a driver; use simulated or qemu."),
        };
        var token = configuration["Octopus:Agents:JoinToken"] ?? "";
        if (enabled && token.Trim().Length < 16)
            throw new ConfigurationException("Octopus:Agents:JoinToken",
                "the qemu driver needs a cluster join token of at least 16 characters for agents to register (set Octopus__Agents__JoinToken).");
        var timeout = TimeSpan.FromSeconds(15);
        if (configuration["Octopus:Agents:HeartbeatTimeout"] is { } text)
        {
            if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out timeout) || timeout < TimeSpan.FromSeconds(3) || timeout > TimeSpan.FromMinutes(10))
                throw new ConfigurationException("Octopus:Agents:HeartbeatTimeout", $"'{text}' is not a time span between 00:00:03 and 00:10:00.");
        }
        return new AgentSettings(enabled, token.Trim(), timeout);
    }
}
