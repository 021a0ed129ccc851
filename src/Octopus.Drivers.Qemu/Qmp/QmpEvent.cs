using System.Text.Json;

namespace Octopus.Drivers.Qemu.Qmp;

/// <summary>An asynchronous QMP event ("SHUTDOWN", "RESUME", "MIGRATION", …) as QEMU sent it.</summary>
/// <param name="Name">The event name, upper case as QEMU spells it.</param>
/// <param name="Data">The event's "data" member, or an empty object when it had none.</param>
/// <param name="Timestamp">QEMU's own timestamp for the event.</param>
public sealed record QmpEvent(string Name, JsonElement Data, DateTimeOffset Timestamp);
