namespace Octopus.Disks.Backends;

/// <summary>The storage itself failed (qemu-img refused, a file is unreadable). The message says what was run and
/// what the tool said, so an operator can act on it.</summary>
public sealed class DiskBackendException : Exception
{
    public DiskBackendException(string message) : base(message) { }
    public DiskBackendException(string message, Exception inner) : base(message, inner) { }
    public DiskBackendException() { }
}
