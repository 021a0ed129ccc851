using Octopus.Domain.Hosts;
using Octopus.Drivers;

namespace Octopus.Application.Power;

/// <summary>Section <c>Octopus:Power</c>: how long the power sequences of hosts with a power binding (ipmi, redfish, wol)
/// wait. Valid ranges: <see cref="Poll"/> 50 ms - 10 s; the timeouts 1 s - 1 h.</summary>
public sealed class PowerSequenceOptions
{
    public const string Section = "Octopus:Power";

    /// <summary>After a graceful off, how long to wait for the BMC to report Off before cutting power. Default 3 min.</summary>
    public TimeSpan GracefulOffTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>After a forced off, how long to wait for the BMC to report Off before giving up. Default 30 s.</summary>
    public TimeSpan ForceOffTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After each method's power-on, how long to wait for the host's agent to heartbeat before trying the next.
    /// Default 5 min.</summary>
    public TimeSpan PowerOnTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the BMC is asked while waiting. Default 1 s.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Checks <see cref="PowerSequenceOptions"/>' ranges.</summary>
public sealed class PowerSequenceOptionsValidator() : Configuration.SectionValidator<PowerSequenceOptions>(PowerSequenceOptions.Section)
{
    protected override void Check(PowerSequenceOptions o, Action<string, string> fail)
    {
        Range(o.GracefulOffTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(o.GracefulOffTimeout), fail);
        Range(o.ForceOffTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(o.ForceOffTimeout), fail);
        Range(o.PowerOnTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(o.PowerOnTimeout), fail);
        Range(o.Poll, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), nameof(o.Poll), fail);
    }
}

/// <summary>Tells whether a host's agent has heartbeated since a moment (the sign a powered-on host is really up).</summary>
public interface IHeartbeatWatch
{
    bool HeardSince(HostId host, DateTimeOffset since);
}

/// <summary>Switches one host by its power binding. Power-off: a graceful off (a forced one when the method cannot do
/// graceful), then the BMC polled until Off; still on after <see cref="PowerSequenceOptions.GracefulOffTimeout"/>: a forced
/// off, polled again. Power-on: each method in the binding's order (method, then fallback) until the host's agent
/// heartbeats (or, without agents, the BMC reports On); every method failing ends in a <see cref="DriverException"/> that
/// lists why each did.</summary>
public sealed class BoundPowerDriver(HostId host, string hostName, IReadOnlyList<PowerMethod> order, Func<PowerMethod, IHostPowerControl> controls,
    IHeartbeatWatch? heartbeats, PowerSequenceOptions options, TimeProvider time) : IHostPowerDriver
{
    public Task PowerOnAsync(HostId id, CancellationToken ct) => PowerOnAsync(id, NoPowerStepLog.Instance, ct);

    public Task PowerOffAsync(HostId id, CancellationToken ct) => PowerOffAsync(id, NoPowerStepLog.Instance, ct);

    /// <summary>The first BMC method in the binding's order that reports watts; null when none does. A BMC that cannot
    /// be asked is skipped; when every BMC method failed, the first failure is thrown.</summary>
    public async Task<Domain.Units.Watts?> ReadPowerAsync(HostId id, CancellationToken ct)
    {
        PowerControlException? first = null;
        foreach (var method in order.Where(m => m is PowerMethod.Ipmi or PowerMethod.Redfish))
        {
            var control = controls(method);
            try
            {
                if (await control.ReadPowerAsync(ct) is { } watts) return watts;
            }
            catch (PowerControlException e) { first ??= e; }
            finally { (control as IDisposable)?.Dispose(); }
        }
        return first is null ? null : throw first;
    }

    public async Task PowerOnAsync(HostId id, IPowerStepLog steps, CancellationToken ct)
    {
        var reasons = new List<string>();
        foreach (var method in order)
        {
            var name = PowerMethodNames.Name(method);
            var since = time.GetUtcNow();
            var control = controls(method);
            try
            {
                await control.PowerOnAsync(ct);
                await steps.RecordAsync($"{name}: power on sent; waiting up to {options.PowerOnTimeout.TotalSeconds:0} s for {(heartbeats is null ? "the BMC to report On" : "the agent's heartbeat")}", ct);
                if (await WaitAsync(() => UpAsync(control, since, ct), options.PowerOnTimeout, ct))
                {
                    await steps.RecordAsync($"{name}: {(heartbeats is null ? "the BMC reports On" : "the agent heartbeats")} after {Seconds(since)}", ct);
                    return;
                }
                reasons.Add($"{name}: powered on, but {(heartbeats is null ? "the BMC did not report On" : "its agent did not heartbeat")} within {options.PowerOnTimeout.TotalSeconds:0} s");
            }
            catch (PowerControlException e)
            {
                reasons.Add($"{name}: {e.Message}");
            }
            finally
            {
                (control as IDisposable)?.Dispose();
            }
            await steps.RecordAsync($"{reasons[^1]}{(method == order[^1] ? "" : "; trying the next method")}", ct);
        }
        throw new DriverException($"host {hostName} could not be powered on: {string.Join("; ", reasons)}.");
    }

    public async Task PowerOffAsync(HostId id, IPowerStepLog steps, CancellationToken ct)
    {
        // The first method of the order that can switch off (Wake-on-LAN cannot).
        var method = order.FirstOrDefault(m => m is PowerMethod.Ipmi or PowerMethod.Redfish);
        if (method is not (PowerMethod.Ipmi or PowerMethod.Redfish))
            throw new DriverException($"host {hostName} has no power method that can switch it off ({string.Join(", ", order.Select(PowerMethodNames.Name))}); configure ipmi or redfish.");
        var name = PowerMethodNames.Name(method);
        var control = controls(method);
        try
        {
            var mode = PowerOffMode.Graceful;
            var since = time.GetUtcNow();
            try
            {
                await control.PowerOffAsync(PowerOffMode.Graceful, ct);
                await steps.RecordAsync($"{name}: graceful shutdown sent; waiting up to {options.GracefulOffTimeout.TotalSeconds:0} s for the BMC to report Off", ct);
            }
            catch (PowerControlException e) when (e.Fault == PowerFault.Unsupported)
            {
                await steps.RecordAsync($"{name}: graceful shutdown refused ({e.Message}); forcing off", ct);
                mode = PowerOffMode.Force;
                await control.PowerOffAsync(PowerOffMode.Force, ct);
            }
            if (await WaitAsync(() => OffAsync(control, ct), mode == PowerOffMode.Graceful ? options.GracefulOffTimeout : options.ForceOffTimeout, ct))
            {
                await steps.RecordAsync($"{name}: the BMC reports Off after {Seconds(since)}", ct);
                return;
            }
            if (mode == PowerOffMode.Graceful)
            {
                await steps.RecordAsync($"{name}: still on after {options.GracefulOffTimeout.TotalSeconds:0} s; forcing off", ct);
                await control.PowerOffAsync(PowerOffMode.Force, ct);
                if (await WaitAsync(() => OffAsync(control, ct), options.ForceOffTimeout, ct))
                {
                    await steps.RecordAsync($"{name}: the BMC reports Off after {Seconds(since)}", ct);
                    return;
                }
            }
            throw new DriverException($"host {hostName}'s BMC still reports power on {options.ForceOffTimeout.TotalSeconds:0} s after a forced off; check the machine.");
        }
        catch (PowerControlException e)
        {
            throw new DriverException($"host {hostName} could not be powered off: {name}: {e.Message}");
        }
        finally
        {
            (control as IDisposable)?.Dispose();
        }
    }

    private string Seconds(DateTimeOffset since) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(time.GetUtcNow() - since).TotalSeconds:0.0} s");

    private async Task<bool> UpAsync(IHostPowerControl control, DateTimeOffset since, CancellationToken ct) =>
        heartbeats is not null ? heartbeats.HeardSince(host, since) : await control.GetStatusAsync(ct) == PowerStatus.On;

    private static async Task<bool> OffAsync(IHostPowerControl control, CancellationToken ct) =>
        await control.GetStatusAsync(ct) == PowerStatus.Off;

    private async Task<bool> WaitAsync(Func<Task<bool>> done, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            if (await done()) return true;
            if (time.GetUtcNow() >= deadline) return false;
            await Task.Delay(options.Poll, time, ct);
        }
    }
}
