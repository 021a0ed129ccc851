using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Application.Configuration;

namespace Octopus.Application.Networks;

/// <summary>The <c>Octopus:Networks</c> section.</summary>
public sealed class NetworksSection
{
    public const string Section = "Octopus:Networks";

    /// <summary>The network a VM created without naming any is attached to (by name; default: none, such VMs have no NIC).</summary>
    public string? Default { get; set; }
}

/// <summary>Validated network settings.</summary>
public sealed record NetworkSettings(NetworkName? Default)
{
    /// <summary>Reads and checks the section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static NetworkSettings From(IConfiguration configuration)
    {
        NetworksSection s;
        try { s = configuration.GetSection(NetworksSection.Section).Get<NetworksSection>() ?? new NetworksSection(); }
        catch (InvalidOperationException e) { throw new ConfigurationException(NetworksSection.Section, e.Message); }
        if (string.IsNullOrWhiteSpace(s.Default)) return new NetworkSettings((NetworkName?)null);
        try { return new NetworkSettings(NetworkName.Parse(s.Default.Trim())); }
        catch (DomainException e) { throw new ConfigurationException($"{NetworksSection.Section}:Default", e.Message); }
    }
}
