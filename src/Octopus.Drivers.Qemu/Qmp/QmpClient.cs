using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Octopus.Drivers.Qemu.Qmp;

/// <summary>A QMP connection to one QEMU process: JSON lines over its unix socket.
/// <para>QEMU serves one client per socket at a time, so the owner of a <see cref="QmpClient"/> owns the VM's control
/// channel; a second client would wait for the greeting until the first disconnects (and then times out here with a
/// message that says so). Commands carry an id, so several may be in flight; answers are matched by id. Events arrive
/// interleaved with answers (even before the answer to the command that caused them) and are queued until taken with
/// <see cref="WaitForEventAsync"/>.</para></summary>
public sealed class QmpClient : IAsyncDisposable
{
    /// <summary>Events kept when nobody takes them; older ones are dropped first (a VM left alone for days
    /// must not grow the agent's memory).</summary>
    public const int MaxQueuedEvents = 256;

    private static readonly JsonElement EmptyObject = JsonSerializer.SerializeToElement(new JsonObject());

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly TimeProvider _time;
    private readonly TimeSpan _commandTimeout;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private readonly Lock _eventsGate = new();
    private readonly LinkedList<QmpEvent> _events = new();
    private TaskCompletionSource _eventArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _readLoop = Task.CompletedTask;
    private long _nextId;
    private string? _closeReason;

    private sealed record Pending(string Command, TaskCompletionSource<JsonElement> Answer);

    private QmpClient(Socket socket, TimeProvider time, TimeSpan commandTimeout)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _time = time;
        _commandTimeout = commandTimeout;
    }

    /// <summary>QEMU's version from the greeting, e.g. "7.2.22".</summary>
    public string QemuVersion { get; private set; } = "";

    /// <summary>Completes when the connection is gone (QEMU exited, or this client was disposed).</summary>
    public Task Closed => _closed.Task;

    public bool IsConnected => !_closed.Task.IsCompleted;

    /// <summary>Connects, reads the greeting and leaves capabilities-negotiation mode, so commands can be sent.</summary>
    /// <param name="socketPath">The unix socket QEMU listens on (its -qmp unix:PATH,server=on).</param>
    /// <param name="timeout">For the connect, the greeting and each command.</param>
    public static async Task<QmpClient> ConnectAsync(string socketPath, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new QmpConnectionException($"cannot connect to the QMP socket {socketPath}: {e.Message}", e);
        }

        var client = new QmpClient(socket, time, timeout);
        try
        {
            var greeting = await client.ReadGreetingAsync(socketPath, deadline.Token);
            client.QemuVersion = greeting;
            client._readLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            await client.ExecuteAsync("qmp_capabilities", null, ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task<string> ReadGreetingAsync(string socketPath, CancellationToken ct)
    {
        string? line;
        try
        {
            line = await ReadLineAsync(ct);
        }
        catch (OperationCanceledException) when (!_closing.IsCancellationRequested)
        {
            throw new QmpConnectionException(
                $"QEMU sent no QMP greeting on {socketPath} in time; another client probably holds the socket " +
                "(QEMU serves one at a time): stop the other agent or tool connected to it.");
        }
        if (line is null) throw new QmpConnectionException($"the QMP socket {socketPath} closed before the greeting.");
        using var doc = ParseOrThrow(line);
        if (!doc.RootElement.TryGetProperty("QMP", out var qmp))
            throw new QmpConnectionException($"{socketPath} is not a QMP socket: first line was '{Truncate(line)}'.");
        if (qmp.TryGetProperty("version", out var v) && v.TryGetProperty("qemu", out var q))
            return $"{q.GetProperty("major").GetInt32()}.{q.GetProperty("minor").GetInt32()}.{q.GetProperty("micro").GetInt32()}";
        return "unknown";
    }

    /// <summary>Runs one command and returns its "return" member. Throws <see cref="QmpException"/> when QEMU answers
    /// with an error, <see cref="QmpConnectionException"/> when there is no answer within the client's timeout or
    /// the connection closes first.</summary>
    public async Task<JsonElement> ExecuteAsync(string command, JsonObject? arguments, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_closing.IsCancellationRequested, this);
        if (_closed.Task.IsCompleted) throw new QmpConnectionException($"QMP connection is closed ({_closeReason}); cannot run '{command}'.");
        var id = $"octopus-{Interlocked.Increment(ref _nextId)}";
        var pending = new Pending(command, new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending[id] = pending;
        try
        {
            var message = new JsonObject { ["execute"] = command, ["id"] = id };
            if (arguments is not null) message["arguments"] = arguments.DeepClone();
            var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
            await _writeGate.WaitAsync(ct);
            try
            {
                await _stream.WriteAsync(bytes, ct);
                await _stream.FlushAsync(ct);
            }
            catch (IOException e)
            {
                throw new QmpConnectionException($"QMP connection lost while sending '{command}': {e.Message}", e);
            }
            finally
            {
                _writeGate.Release();
            }

            using var timeout = new CancellationTokenSource(_commandTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                return await pending.Answer.Task.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new QmpConnectionException($"QEMU did not answer '{command}' within {_commandTimeout.TotalSeconds:0.#} s.");
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Takes the oldest queued event named <paramref name="name"/>, waiting for one up to <paramref name="timeout"/>.
    /// Returns null on timeout or when the connection closes without it (QEMU exiting is an answer too).</summary>
    public async Task<QmpEvent?> WaitForEventAsync(string name, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        while (true)
        {
            Task arrived;
            lock (_eventsGate)
            {
                for (var node = _events.First; node is not null; node = node.Next)
                {
                    if (string.Equals(node.Value.Name, name, StringComparison.Ordinal))
                    {
                        _events.Remove(node);
                        return node.Value;
                    }
                }
                if (_closed.Task.IsCompleted) return null;
                arrived = _eventArrived.Task;
            }
            try
            {
                await Task.WhenAny(arrived, _closed.Task).WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>The events queued now, oldest first, without taking them.</summary>
    public IReadOnlyList<QmpEvent> PeekEvents()
    {
        lock (_eventsGate) return [.. _events];
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var line = await ReadLineAsync(_closing.Token);
                if (line is null)
                {
                    Close("QEMU closed the socket");
                    return;
                }
                if (line.Length == 0) continue;
                Dispatch(line);
            }
        }
        catch (OperationCanceledException)
        {
            Close("client disposed");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or QmpConnectionException)
        {
            Close(e.Message);
        }
    }

    private void Dispatch(string line)
    {
        using var doc = ParseOrThrow(line);
        var root = doc.RootElement;
        if (root.TryGetProperty("event", out var ev))
        {
            var data = root.TryGetProperty("data", out var d) ? d.Clone() : EmptyObject;
            var stamp = DateTimeOffset.UnixEpoch;
            if (root.TryGetProperty("timestamp", out var ts))
                stamp = DateTimeOffset.FromUnixTimeMilliseconds(ts.GetProperty("seconds").GetInt64() * 1000 + ts.GetProperty("microseconds").GetInt64() / 1000);
            lock (_eventsGate)
            {
                _events.AddLast(new QmpEvent(ev.GetString() ?? "", data, stamp));
                while (_events.Count > MaxQueuedEvents) _events.RemoveFirst();
                var signal = _eventArrived;
                _eventArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal.TrySetResult();
            }
            return;
        }
        // Answers without an id (never sent by this client) have nobody waiting: ignore them.
        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String) return;
        if (!_pending.TryGetValue(idElement.GetString()!, out var pending)) return;
        if (root.TryGetProperty("return", out var ret))
        {
            pending.Answer.TrySetResult(ret.Clone());
        }
        else if (root.TryGetProperty("error", out var err))
        {
            var cls = err.TryGetProperty("class", out var c) ? c.GetString() ?? "" : "";
            var desc = err.TryGetProperty("desc", out var de) ? de.GetString() ?? "" : "";
            pending.Answer.TrySetException(new QmpException(pending.Command, cls, desc));
        }
        else
        {
            pending.Answer.TrySetException(new QmpConnectionException($"QEMU answered '{pending.Command}' with neither return nor error: {Truncate(line)}"));
        }
    }

    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _bufferStart, _bufferEnd;

    /// <summary>Reads up to '\n' (QMP ends each message with "\r\n"). Null at end of stream.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        var line = new MemoryStream();
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _bufferStart, _bufferEnd - _bufferStart);
            if (newline >= 0)
            {
                line.Write(_buffer, _bufferStart, newline - _bufferStart);
                _bufferStart = newline + 1;
                return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r');
            }
            line.Write(_buffer, _bufferStart, _bufferEnd - _bufferStart);
            _bufferStart = _bufferEnd = 0;
            var read = await _stream.ReadAsync(_buffer, ct);
            if (read == 0) return line.Length > 0 ? Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r') : null;
            _bufferEnd = read;
        }
    }

    private void Close(string reason)
    {
        _closeReason ??= reason;
        foreach (var (_, p) in _pending)
            p.Answer.TrySetException(new QmpConnectionException($"QMP connection closed ({reason}) before QEMU answered '{p.Command}'."));
        _closed.TrySetResult();
        lock (_eventsGate) _eventArrived.TrySetResult();
    }

    private static JsonDocument ParseOrThrow(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new QmpConnectionException($"QEMU sent malformed JSON: '{Truncate(line)}'", e);
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";

    /// <summary>Closes the connection; the QEMU process keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closing.IsCancellationRequested) return;
        await _closing.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone: nothing to shut down.
        }
        await _stream.DisposeAsync();
        try
        {
            await _readLoop;
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation; that is how it is stopped.
        }
        Close("client disposed");
        _closing.Dispose();
        _writeGate.Dispose();
    }
}
