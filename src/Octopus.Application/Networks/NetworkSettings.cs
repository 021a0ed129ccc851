using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Application.Configuration;

namespace Octopus.Application.Networks;

/// <summary>The <c>Octopus:Networks</c> section.</summary>
public sealed class NetworksSection : ISettingsSection<NetworkSettings>
{
    public const string Section = "Octopus:Networks";
    public static string Path => Section;
    public NetworkSettings ToSettings() => NetworkSettings.From(this);

    /// <summary>The network a VM created without naming any is attached to (by name; default: none, such VMs have no NIC).</summary>
    public string? Default { get; set; }
}

/// <summary>Validated network settings.</summary>
public sealed record NetworkSettings(NetworkName? Default)
{
    /// <summary>Reads and checks the section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static NetworkSettings From(IConfiguration configuration) => SettingsSections.Read<NetworksSection, NetworkSettings>(configuration);

    /// <summary>Checks the bound section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static NetworkSettings From(NetworksSection s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (string.IsNullOrWhiteSpace(s.Default)) return new NetworkSettings((NetworkName?)null);
        try { return new NetworkSettings(NetworkName.Parse(s.Default.Trim())); }
        catch (DomainException e) { throw new ConfigurationException($"{NetworksSection.Section}:Default", e.Message); }
    }
}
