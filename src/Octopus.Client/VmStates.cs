using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Names of the VM states the API reports in <see cref="VmDto.State"/>, and which of them mean an operation
/// is still in flight. Kept as strings because they are the wire values; the server owns the state machine.</summary>
public static class VmStates
{
    /// <summary>The wire value "Pending".</summary>
    public const string Pending = "Pending";
    /// <summary>The wire value "Creating".</summary>
    public const string Creating = "Creating";
    /// <summary>The wire value "Starting".</summary>
    public const string Starting = "Starting";
    /// <summary>The wire value "Running".</summary>
    public const string Running = "Running";
    /// <summary>The wire value "Stopping".</summary>
    public const string Stopping = "Stopping";
    /// <summary>The wire value "Stopped".</summary>
    public const string Stopped = "Stopped";
    /// <summary>The wire value "Rebooting".</summary>
    public const string Rebooting = "Rebooting";
    /// <summary>The wire value "Migrating".</summary>
    public const string Migrating = "Migrating";
    /// <summary>The wire value "Deleting".</summary>
    public const string Deleting = "Deleting";
    /// <summary>The wire value "Failed".</summary>
    public const string Failed = "Failed";
    /// <summary>The wire value "Suspended".</summary>
    public const string Suspended = "Suspended";

    private static readonly HashSet<string> Transitional = new(StringComparer.OrdinalIgnoreCase)
    {
        Creating, Starting, Stopping, Rebooting, Migrating, Deleting,
    };

    /// <summary>True while an operation on the VM is in flight (Creating, Starting, Stopping, Rebooting, Migrating,
    /// Deleting). Pending is not transitional: a VM can wait there indefinitely for capacity.</summary>
    public static bool IsTransitional(string state) => Transitional.Contains(state);

    /// <summary>True when <paramref name="vm"/> is in <paramref name="state"/> (case-insensitive).</summary>
    public static bool Is(this VmDto vm, string state) => string.Equals(vm.State, state, StringComparison.OrdinalIgnoreCase);
}
