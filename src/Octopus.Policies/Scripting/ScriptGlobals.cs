using Octopus.Domain.Users;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Language;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Scripting;

/// <summary>What an admin C# script policy sees: the snapshot (read-only records) and methods that propose actions.
/// Proposals go through the engine's safety rules and conflict resolution like any other policy's.</summary>
public sealed class ScriptGlobals
{
    /// <summary>Most actions one script run may propose; more is a runaway script.</summary>
    public const int MaxProposals = 100_000;

    private readonly string _policy;
    private readonly UserName _owner;
    private readonly List<IntendedAction> _proposed = [];

    internal ScriptGlobals(string policy, UserName owner, PolicySnapshot snapshot, CancellationToken cancellation)
    {
        _policy = policy;
        _owner = owner;
        Snapshot = snapshot;
        CancellationToken = cancellation;
    }

    public PolicySnapshot Snapshot { get; }
    public DateTimeOffset Now => Snapshot.Now;
    public IReadOnlyList<VmFacts> Vms => Snapshot.Vms;
    public IReadOnlyList<HostFacts> Hosts => Snapshot.Hosts;
    public IReadOnlyList<UserFacts> Users => Snapshot.Users;

    /// <summary>Cancelled when the script's time is up; long computations may check it (loops are checked anyway).</summary>
    public CancellationToken CancellationToken { get; }

    internal IReadOnlyList<IntendedAction> Proposed => _proposed;

    public void Shutdown(VmFacts vm, string why) => Propose(vm, new ShutdownAction(), why);
    public void Suspend(VmFacts vm, string why) => Propose(vm, new SuspendAction(), why);
    public void Delete(VmFacts vm, string why, TimeSpan? grace = null) => Propose(vm, new DeleteAction(grace ?? DeleteAction.DefaultGrace), why);
    public void Move(VmFacts vm, string why, int maxPerHost = 1) => Propose(vm, new MoveAction(maxPerHost), why);
    public void RestartElsewhere(VmFacts vm, string why) => Propose(vm, new RestartElsewhereAction(), why);
    public void Checkpoint(VmFacts vm, string why, int? keepLast = 7, TimeSpan? newerThan = null) =>
        Propose(vm, new CheckpointAction(keepLast, newerThan), why);
    public void Notify(VmFacts vm, string why) => Propose(vm, new NotifyAction(why), why);

    /// <summary>Called by the code the runner inserts at the top of every loop body and method: stops a script whose time
    /// is up, and turns runaway recursion into an error instead of a crashed server.</summary>
    public void Guard()
    {
        CancellationToken.ThrowIfCancellationRequested();
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    private void Propose(VmFacts vm, PolicyAction action, string why)
    {
        ArgumentNullException.ThrowIfNull(vm);
        Guard();
        if (_proposed.Count >= MaxProposals)
            throw new InvalidOperationException($"the script proposed more than {MaxProposals} actions");
        _proposed.Add(new IntendedAction(_policy, _owner, PolicyScope.Admin, action, vm.Id, vm.Name, vm.Owner, vm.Host,
            $"script {_policy}: {why}", [new FactValue("script", Expr.Quote(why))]));
    }
}
