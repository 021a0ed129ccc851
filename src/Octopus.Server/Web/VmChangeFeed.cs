using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Queries;

namespace Octopus.Server.Web;

/// <summary>One change seen by <see cref="VmChangeFeed"/>: a VM that appeared or changed (<see cref="Vm"/> set), or one
/// that is gone (<see cref="Deleted"/> set).</summary>
public sealed record VmChange(string Owner, VmDto? Vm, VmDeletedEvent? Deleted);

/// <summary>Feeds the web UI's live updates: while anyone listens, it reads the VMs as the API shows them every
/// <see cref="Interval"/> and publishes those whose observable fields changed (state, spec, host, reason, lease, NICs),
/// and those whose CPU figure moved: by <see cref="CpuStep"/> or more at once, or by any whole percent once
/// <see cref="CpuRefresh"/> has passed since the VM was last sent (a busy VM's load wobbles by a point or two every
/// sample; sending each wobble made a thousand running VMs a steady stream of events that redrew lists for nothing).
/// Reading the store, rather than hooking each writer, catches every change whatever made it
/// (API, control loop, policies), at the cost of up to one interval of delay. Idle when no one listens.
/// A listener gets no backlog: the first read after the feed wakes is a silent baseline, and
/// <see cref="Subscription.Ready"/> completes after the first read that began once it subscribed, so a client that
/// loads its list after "ready" and applies the changes from then on misses nothing and is never sent every VM.</summary>
public sealed partial class VmChangeFeed(IServiceScopeFactory scopes, TimeProvider time, ILogger<VmChangeFeed> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>A CPU change this large (a fraction of the VM's cores: 0.05 is five points) is sent at once.</summary>
    public const double CpuStep = 0.05;

    /// <summary>A smaller CPU change (of at least a whole percent) is sent once this long has passed since the VM's last.</summary>
    public static readonly TimeSpan CpuRefresh = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<long, Subscriber> _subscribers = new();
    private readonly SemaphoreSlim _wake = new(0);
    private long _nextId;
    private Dictionary<string, Sent> _last = new(StringComparer.Ordinal);
    private bool _baselined;

    /// <summary>Subscribes a caller: users get their own VMs' changes, admins everyone's. Dispose to stop.</summary>
    public Subscription Subscribe(Caller caller)
    {
        var channel = Channel.CreateBounded<VmChange>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var id = Interlocked.Increment(ref _nextId);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _subscribers[id] = new Subscriber(caller, channel, ready);
        _wake.Release();
        return new Subscription(channel.Reader, ready.Task, () => { _subscribers.TryRemove(id, out _); channel.Writer.TryComplete(); ready.TrySetCanceled(); });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_subscribers.IsEmpty)
                {
                    _last.Clear(); // the next listener starts from a fresh page load anyway
                    _baselined = false;
                    await _wake.WaitAsync(stoppingToken);
                    continue;
                }
                await PollAsync(stoppingToken);
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPollFailed(logger, e);
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        // Those subscribed before this read began are in sync once it is done.
        var waiting = _subscribers.Values.Where(s => !s.Ready.Task.IsCompleted).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<VmQueries>();
        var at = time.GetUtcNow();
        var now = new Dictionary<string, Sent>(StringComparer.Ordinal);
        foreach (var vm in await queries.AllAsync(ct)) now[vm.Id] = Sent.Of(vm, at);
        if (!_baselined)
        {
            _last = now;
            _baselined = true;
            foreach (var s in waiting) s.Ready.TrySetResult();
            return;
        }

        var changes = new List<VmChange>();
        foreach (var (id, seen) in now)
        {
            if (_last.TryGetValue(id, out var before) && !Changed(before, seen)) now[id] = before; // compare later reads with what was sent
            else changes.Add(new VmChange(seen.Vm.Owner, seen.Vm, null));
        }
        foreach (var (id, gone) in _last)
            if (!now.ContainsKey(id)) changes.Add(new VmChange(gone.Vm.Owner, null, new VmDeletedEvent(id, gone.Vm.Name, gone.Vm.Owner)));
        _last = now;

        foreach (var change in changes)
            foreach (var s in _subscribers.Values)
                if (s.Caller.IsAdmin || s.Caller.Name == change.Owner) s.Channel.Writer.TryWrite(change);
        foreach (var s in waiting) s.Ready.TrySetResult();
    }

    /// <summary>Everything observable about the VM but its CPU figure, which <see cref="Changed"/> judges on its own.</summary>
    private static string Fingerprint(VmDto vm) => JsonSerializer.Serialize(vm with { CpuLoad = 0 }, Json);

    /// <summary>Whether <paramref name="seen"/> (this read) differs enough from <paramref name="sent"/> (what listeners
    /// last got for the VM) to be sent: any field but CPU, a CPU move of <see cref="CpuStep"/> or more, or a CPU move of
    /// a whole percent or more once <see cref="CpuRefresh"/> has passed since <paramref name="sent"/>.</summary>
    internal static bool Changed(Sent sent, Sent seen) =>
        sent.Fingerprint != seen.Fingerprint
        || Math.Abs(seen.Cpu - sent.Cpu) >= CpuStep - 1e-9
        || (Math.Round(seen.Cpu, 2) != Math.Round(sent.Cpu, 2) && seen.At - sent.At >= CpuRefresh);

    /// <summary>A VM as read at <paramref name="At"/>: its fingerprint without CPU, its CPU figure, and the VM.</summary>
    internal sealed record Sent(string Fingerprint, double Cpu, DateTimeOffset At, VmDto Vm)
    {
        public static Sent Of(VmDto vm, DateTimeOffset at) => new(VmChangeFeed.Fingerprint(vm), vm.CpuLoad, at, vm);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live VM feed: reading the VMs failed; retrying")]
    private static partial void LogPollFailed(ILogger logger, Exception e);

    private sealed record Subscriber(Caller Caller, Channel<VmChange> Channel, TaskCompletionSource Ready);

    /// <summary>A listener's queue of changes; dispose it when the connection ends.</summary>
    public sealed class Subscription(ChannelReader<VmChange> reader, Task ready, Action unsubscribe) : IDisposable
    {
        public ChannelReader<VmChange> Reader { get; } = reader;

        /// <summary>Completes when the feed has read the store once since this subscription: every change committed
        /// after that read reaches <see cref="Reader"/>.</summary>
        public Task Ready { get; } = ready;
        public void Dispose() => unsubscribe();
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
