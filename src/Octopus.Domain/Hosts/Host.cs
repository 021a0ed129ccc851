using Octopus.Domain.Units;

namespace Octopus.Domain.Hosts;

/// <summary>A compute node: capacity, power model, power state, maintenance flag and its last observed load.</summary>
public sealed class Host
{
    private Host() { } // for the store

    public HostId Id { get; private set; }
    public string Name { get; private set; } = "";
    public HostCapacity Capacity { get; private set; } = null!;
    public PowerModel PowerModel { get; private set; } = null!;
    public HostPowerState PowerState { get; private set; }
    public bool Maintenance { get; private set; }
    public DateTimeOffset PowerStateChangedAt { get; private set; }

    /// <summary>CPU load last observed by the driver (0 when off).</summary>
    public CpuLoad Load { get; private set; }

    public long Version { get; private set; }

    public static Host Create(string name, HostCapacity capacity, PowerModel power, DateTimeOffset now) => new()
    {
        Id = HostId.New(), Name = name, Capacity = capacity, PowerModel = power, PowerState = HostPowerState.On,
        PowerStateChangedAt = now,
    };

    /// <summary>True when new VMs may be placed here.</summary>
    public bool AcceptsVms => PowerState == HostPowerState.On && !Maintenance;

    /// <summary>What the host draws now: 0 when off or failed; otherwise the BMC's measurement when it gave one at its
    /// last reading (<see cref="MeasuredDraw"/>), else the power model at the observed load.</summary>
    public Watts PowerDraw => PowerState is HostPowerState.Off or HostPowerState.Failed ? Watts.Zero : MeasuredDraw ?? PowerModel.At(Load);

    /// <summary>The draw the host's BMC reported at its last reading (IPMI DCMI power reading, Redfish PowerControl);
    /// null when the host has no BMC, the BMC reports none, or the last reading failed.</summary>
    public Watts? MeasuredDraw { get; private set; }

    /// <summary>When the BMC was last asked (whatever it answered); null when never.</summary>
    public DateTimeOffset? MeasuredAt { get; private set; }

    /// <summary>Records a BMC reading (null: none or failed). The version moves only when the draw changes, so frequent
    /// readings of a steady host do not conflict with commands on it.</summary>
    public void ObserveMeasuredDraw(Watts? draw, DateTimeOffset at)
    {
        if (draw is { } w && (double.IsNaN(w.Value) || w.Value < 0))
            throw DomainException.Invalid("watts", $"a BMC reading of {w.Value} W is not a power draw.");
        MeasuredAt = at;
        if (MeasuredDraw == draw) return;
        MeasuredDraw = draw;
        Version++;
    }

    public void Reconfigure(HostCapacity capacity, PowerModel power)
    {
        if (capacity == Capacity && power == PowerModel) return;
        Capacity = capacity;
        PowerModel = power;
        Version++;
    }

    /// <summary>Switches maintenance on or off. Returns false when it already was.</summary>
    public bool SetMaintenance(bool on)
    {
        if (Maintenance == on) return false;
        Maintenance = on;
        Version++;
        return true;
    }

    public void ObserveLoad(CpuLoad load)
    {
        if (Math.Abs(load.Fraction - Load.Fraction) < 1e-9) return;
        Load = load;
        Version++;
    }

    /// <summary>Moves along On → PoweringOff → Off → PoweringOn → On; Failed can go anywhere the driver reports.</summary>
    public void MovePower(HostPowerState next, DateTimeOffset now)
    {
        var legal = (PowerState, next) switch
        {
            (HostPowerState.On, HostPowerState.PoweringOff) => true,
            (HostPowerState.PoweringOff, HostPowerState.Off) => true,
            (HostPowerState.Off, HostPowerState.PoweringOn) => true,
            (HostPowerState.PoweringOn, HostPowerState.On) => true,
            (HostPowerState.PoweringOn, HostPowerState.Off) => true, // power-on failed
            (HostPowerState.PoweringOff, HostPowerState.On) => true, // power-off failed
            (_, HostPowerState.Failed) => true,
            (HostPowerState.Failed, HostPowerState.On or HostPowerState.Off) => true,
            _ => false,
        };
        if (!legal)
            throw DomainException.Conflict("host.illegal-power-transition",
                $"Host '{Name}' cannot go from {PowerState} to {next}.");
        PowerState = next;
        PowerStateChangedAt = now;
        if (next is HostPowerState.Off or HostPowerState.Failed)
        {
            Load = CpuLoad.Idle;
            MeasuredDraw = null; // a reading from before the switch says nothing about the host when it is back
            MeasuredAt = null;
        }
        Version++;
    }
}
