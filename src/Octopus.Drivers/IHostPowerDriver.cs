using Octopus.Domain.Hosts;

namespace Octopus.Drivers;

/// <summary>Switches one kind of host on and off (simulated, IPMI, Redfish, Wake-on-LAN, …). Separate from
/// <see cref="INodeDriver"/>: a node's hypervisor cannot switch its own machine on. Both calls are idempotent.</summary>
public interface IHostPowerDriver
{
    Task PowerOnAsync(HostId host, CancellationToken ct);

    /// <summary>Powers a host off. The caller guarantees the host holds no running VM.</summary>
    Task PowerOffAsync(HostId host, CancellationToken ct);

    /// <summary><see cref="PowerOnAsync(HostId, CancellationToken)"/>, recording each step of the sequence in
    /// <paramref name="steps"/> as it ends. Drivers with a one-step switch need not override it.</summary>
    Task PowerOnAsync(HostId host, IPowerStepLog steps, CancellationToken ct) => PowerOnAsync(host, ct);

    /// <summary><see cref="PowerOffAsync(HostId, CancellationToken)"/>, recording each step in <paramref name="steps"/>.</summary>
    Task PowerOffAsync(HostId host, IPowerStepLog steps, CancellationToken ct) => PowerOffAsync(host, ct);

    /// <summary>The power the host draws now as its BMC measures it; null when this driver has no measurement (the
    /// power model is used instead). Throws <see cref="PowerControlException"/> when the BMC cannot be asked.</summary>
    Task<Domain.Units.Watts?> ReadPowerAsync(HostId host, CancellationToken ct) => Task.FromResult<Domain.Units.Watts?>(null);
}

/// <summary>Where a power sequence says what it did, step by step ("ipmi: power on sent", "BMC reports Off after 3 s"),
/// so the operation shows where it is while it runs and why it ended as it did.</summary>
public interface IPowerStepLog
{
    Task RecordAsync(string step, CancellationToken ct);
}

/// <summary>Discards the steps (a caller that does not record them).</summary>
public sealed class NoPowerStepLog : IPowerStepLog
{
    public static readonly NoPowerStepLog Instance = new();

    private NoPowerStepLog() { }

    public Task RecordAsync(string step, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>Finds how a host is switched.</summary>
public interface IPowerDriverResolver
{
    /// <summary>The power driver of <paramref name="host"/>; throws <see cref="DriverException"/> when it has none.</summary>
    IHostPowerDriver For(HostId host);
}
