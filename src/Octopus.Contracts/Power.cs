namespace Octopus.Contracts;

/// <summary><c>GET /api/v1/power/history?window=1h</c> (admin): the cluster's power over the window, as points of
/// equal length (<see cref="StepSeconds"/>), with the energy used against the "all hosts on" baseline.
/// The baseline counts every host that is on at its observed draw and every host that is off at its idle draw (what it
/// would use had it stayed on, empty); failed hosts count in neither. Energy is integrated from the telemetry samples
/// (each sample's draw held until the next one). Kept in memory for 24 h; a restart starts a new history.</summary>
public sealed record PowerHistoryDto(
    string Window,
    DateTimeOffset From,
    DateTimeOffset To,
    int StepSeconds,
    double CurrentWatts,
    double CurrentAllOnWatts,
    int ActiveHosts,
    int Hosts,
    double EnergyKWh,
    double AllOnEnergyKWh,
    double SavedKWh,
    double SavedPercent,
    IReadOnlyList<PowerPointDto> Points);

/// <summary>One point of the power history: means over <see cref="PowerHistoryDto.StepSeconds"/> from <see cref="At"/>.
/// <see cref="ActiveHosts"/> is the mean number of hosts drawing power (on or changing power state),
/// <see cref="MaxActiveHosts"/> the largest seen in the step.</summary>
public sealed record PowerPointDto(DateTimeOffset At, double Watts, double AllOnWatts, double ActiveHosts, int MaxActiveHosts, int Hosts);
