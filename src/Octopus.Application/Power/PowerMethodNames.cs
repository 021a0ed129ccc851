using Octopus.Domain;
using Octopus.Domain.Hosts;

namespace Octopus.Application.Power;

/// <summary>The API's names for <see cref="PowerMethod"/>: ipmi, redfish, wol, agent, simulated.</summary>
public static class PowerMethodNames
{
    public static string Name(PowerMethod method) => method switch
    {
        PowerMethod.Simulated => "simulated",
        PowerMethod.Agent => "agent",
        PowerMethod.Ipmi => "ipmi",
        PowerMethod.Redfish => "redfish",
        PowerMethod.WakeOnLan => "wol",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>The method named <paramref name="text"/>; a 400 naming <paramref name="field"/> otherwise.</summary>
    public static PowerMethod Parse(string? text, string field) => text?.Trim().ToLowerInvariant() switch
    {
        "simulated" => PowerMethod.Simulated,
        "agent" => PowerMethod.Agent,
        "ipmi" => PowerMethod.Ipmi,
        "redfish" => PowerMethod.Redfish,
        "wol" or "wake-on-lan" => PowerMethod.WakeOnLan,
        null or "" => throw DomainException.Invalid(field, $"{field} is missing; give one of ipmi, redfish, wol, agent, simulated."),
        _ => throw DomainException.Invalid(field, $"'{text}' is not a power method; give one of ipmi, redfish, wol, agent, simulated."),
    };
}
