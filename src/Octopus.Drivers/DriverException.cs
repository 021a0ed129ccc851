namespace Octopus.Drivers;

/// <summary>A driver could not do what was asked. The message is shown to the VM's owner.</summary>
public class DriverException(string message, Exception? inner = null) : Exception(message, inner);
