namespace Octopus.Domain.Vms;

/// <summary>A public key a VM was created with (from its owner's profile or given literally): what the guest's
/// provisioning puts in authorized_keys. Fixed at creation; goes with the VM.</summary>
public sealed class VmSshKey
{
    /// <summary>How many keys one VM may be given.</summary>
    public const int MaxPerVm = 16;

    private VmSshKey() { } // for the store

    public VmId VmId { get; private set; }
    public int Slot { get; private set; }
    public string PublicKey { get; private set; } = "";
    public string Fingerprint { get; private set; } = "";

    public static VmSshKey For(VmId vm, int slot, Users.SshPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new VmSshKey { VmId = vm, Slot = slot, PublicKey = key.ToString(), Fingerprint = key.Fingerprint };
    }
}
