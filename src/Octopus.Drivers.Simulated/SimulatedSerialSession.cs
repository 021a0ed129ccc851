using System.Text;
using System.Threading.Channels;

namespace Octopus.Drivers.Simulated;

/// <summary>One open serial console of a simulated VM (<see cref="ISerialConsoleDriver.OpenSerialAsync"/>): a duplex
/// stream whose far end is <see cref="SimulatedShell"/>, the tiny guest a serial port of the simulation reaches. What is
/// written is typed into the shell; what the shell prints is read back. The node ends it (<see cref="End"/>) when the VM
/// stops or goes away; reading then returns 0 after the last words.</summary>
internal sealed class SimulatedSerialSession : Stream
{
    /// <summary>Chunks of output waiting for a reader; a writer that outpaces its own reading waits (backpressure).</summary>
    private const int QueuedChunks = 256;

    private readonly Channel<byte[]> _output = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueuedChunks)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Lock _gate = new();
    private readonly SimulatedShell _shell;
    private readonly Action<SimulatedSerialSession> _closed;
    private ReadOnlyMemory<byte> _pending;
    private bool _ended;

    public SimulatedSerialSession(SimulatedShell shell, Action<SimulatedSerialSession> closed)
    {
        _shell = shell;
        _closed = closed;
        _output.Writer.TryWrite(shell.Greet());
    }

    /// <summary>The node ends the session: the guest's last words are read, then the end of the stream.</summary>
    public void End(string lastWords)
    {
        lock (_gate)
        {
            if (_ended) return;
            _ended = true;
            _output.Writer.TryWrite(Encoding.UTF8.GetBytes("\r\n" + lastWords + "\r\n"));
            _output.Writer.TryComplete();
        }
    }

    /// <summary>The guest was reset: it prints its boot and asks for a login again.</summary>
    public void Rebooted()
    {
        lock (_gate)
        {
            if (!_ended) _output.Writer.TryWrite(_shell.Reboot());
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        if (_pending.IsEmpty)
        {
            if (!await _output.Reader.WaitToReadAsync(cancellationToken)) return 0;
            if (!_output.Reader.TryRead(out var chunk)) return 0;
            _pending = chunk;
        }
        var n = Math.Min(buffer.Length, _pending.Length);
        _pending[..n].CopyTo(buffer);
        _pending = _pending[n..];
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return;
        if (!await _output.Writer.WaitToWriteAsync(cancellationToken)) throw new IOException("the serial console session has ended.");
        lock (_gate)
        {
            if (_ended) throw new IOException("the serial console session has ended.");
            var echo = _shell.Type(buffer.Span);
            if (echo.Length > 0) _output.Writer.TryWrite(echo);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _ended = true;
                _output.Writer.TryComplete();
            }
            _closed(this);
        }
        base.Dispose(disposing);
    }
}
