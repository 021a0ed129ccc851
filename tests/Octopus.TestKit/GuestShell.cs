using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Octopus.TestKit;

/// <summary>Types commands into the test guest's interactive shell (scripts/build-test-guest keeps <c>sh -i</c> on
/// ttyS0) through the serial socket QEMU serves in the VM's folder (<c>vms/{id}/serial.sock</c> under the node's data
/// folder), and returns each command's output and exit status. The guest's heartbeat lines share the console and are
/// left out of the output. QEMU serves one console client at a time: dispose the shell before anything else opens it.</summary>
public sealed partial class GuestShell : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StringBuilder _seen = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private GuestShell(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Connects to the serial socket of VM <paramref name="vmId"/> found under <paramref name="dataFolder"/>.</summary>
    public static async Task<GuestShell> ConnectAsync(string dataFolder, string vmId, CancellationToken ct)
    {
        var path = Directory.EnumerateFiles(dataFolder, "serial.sock", SearchOption.AllDirectories)
            .FirstOrDefault(p => Path.GetFileName(Path.GetDirectoryName(p)) == vmId)
            ?? throw new FileNotFoundException($"no serial socket of VM {vmId} under {dataFolder}");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
        return new GuestShell(socket);
    }

    /// <summary>Runs <paramref name="command"/> (one shell line) and waits up to <paramref name="timeout"/> for it to end.
    /// Returns its exit status and what it printed (without the echoed command line and heartbeats).</summary>
    public async Task<(int Exit, string Output)> RunAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        var tag = "R" + Guid.NewGuid().ToString("N")[..8];
        int start;
        lock (_lock) start = _seen.Length;
        // The quotes keep the echoed command line from matching: the tty echoes "tag"-$?, the shell prints tag-STATUS.
        // A command sent to the background ends in '&', which is already a separator (and "&;" a syntax error).
        var then = command.TrimEnd().EndsWith('&') ? " " : "; ";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"{command}{then}echo \"{tag[..1]}\"\"{tag[1..]}\"-$?\r"), ct);
        var done = new Regex($@"(?:^|\n){tag}-(\d+)\r?\n");
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        while (true)
        {
            string text;
            lock (_lock) text = _seen.ToString(start, _seen.Length - start);
            if (done.Match(text) is { Success: true } m)
            {
                var lines = text[..m.Index].Split('\n').Select(l => l.TrimEnd('\r'))
                    .Where(l => !l.StartsWith("OCTOPUS-HEARTBEAT", StringComparison.Ordinal) && !l.Contains($"{tag[1..]}\"-$?", StringComparison.Ordinal));
                return (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), string.Join('\n', lines).Trim());
            }
            if (_reader.IsCompleted) throw new EndOfStreamException($"the guest console closed while running '{command}'; it printed: {text}");
            try { await Task.Delay(100, wait.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds:0} s; the console printed: {text}");
            }
        }
    }

    /// <summary>Everything the console printed since the shell connected.</summary>
    public string Seen
    {
        get { lock (_lock) return _seen.ToString(); }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await _stream.ReadAsync(buffer, _stop.Token)) > 0)
                lock (_lock) _seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _reader;
        await _stream.DisposeAsync();
        _stop.Dispose();
    }
}
