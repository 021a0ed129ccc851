using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Application.Power;

/// <summary>The cluster's power at one telemetry tick: what it draws, what it would draw with every host on, and how
/// many hosts are active (drawing power).</summary>
/// <param name="Watts">Sum of every host's draw from its power model at its observed load (off and failed hosts: 0).</param>
/// <param name="AllOnWatts">The baseline: hosts that draw power count at the same draw; hosts that are off count at
/// their idle draw (had they stayed on, they would be on and empty); failed hosts count 0, as in <paramref name="Watts"/>,
/// because no policy could have kept them on.</param>
/// <param name="ActiveHosts">Hosts that are on, powering on or powering off.</param>
/// <param name="Hosts">All hosts known to the store.</param>
public readonly record struct PowerReading(Watts Watts, Watts AllOnWatts, int ActiveHosts, int Hosts)
{
    public static PowerReading From(IEnumerable<Octopus.Domain.Hosts.Host> hosts)
    {
        double watts = 0, allOn = 0;
        int active = 0, count = 0;
        foreach (var h in hosts)
        {
            count++;
            switch (h.PowerState)
            {
                case HostPowerState.On or HostPowerState.PoweringOn or HostPowerState.PoweringOff:
                    var draw = h.PowerDraw.Value;
                    watts += draw;
                    allOn += draw;
                    active++;
                    break;
                case HostPowerState.Off:
                    allOn += h.PowerModel.Idle.Value;
                    break;
                case HostPowerState.Failed:
                    break;
            }
        }
        return new PowerReading(new Watts(watts), new Watts(allOn), active, count);
    }
}
