namespace Octopus.Persistence.Records;

/// <summary>A base image VMs can be created from. The simulated cluster's images come from configuration.</summary>
public sealed class ImageRecord
{
    public string Name { get; set; } = "";
    public long SizeBytes { get; set; }
    public string Source { get; set; } = "";

    /// <summary>The image runs cloud-init: its VMs get a NoCloud seed disk (host name, SSH keys, user-data).</summary>
    public bool CloudInit { get; set; }
}
