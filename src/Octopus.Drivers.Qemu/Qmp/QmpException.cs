namespace Octopus.Drivers.Qemu.Qmp;

/// <summary>QEMU answered a command with an error. <see cref="ErrorClass"/> is QMP's class ("GenericError",
/// "DeviceNotFound", …), kept so callers can tell a wrong argument from a VM in the wrong state.</summary>
public sealed class QmpException(string command, string errorClass, string description)
    : Exception($"QMP command '{command}' failed: {errorClass}: {description}")
{
    public string Command { get; } = command;
    public string ErrorClass { get; } = errorClass;
    public string Description { get; } = description;
}

/// <summary>The QMP conversation itself broke: no greeting, malformed JSON, the socket closed, or no answer in time.</summary>
public sealed class QmpConnectionException(string message, Exception? inner = null) : Exception(message, inner);
