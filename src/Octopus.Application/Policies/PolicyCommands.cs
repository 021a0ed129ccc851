using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Language;
using Octopus.Policies.Templates;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Policies;

/// <summary>What users ask of policies: create (or replace), list, show, enable, disable, delete, preview, history and the
/// templates. Users see and manage their own policies; administrators all. A user's policy is always scope user (it only
/// ever touches its owner's VMs); admin-scope policies, admin-only actions (move, restartElsewhere) and C# script policies
/// need an administrator. Every change is audited.</summary>
public sealed class PolicyCommands(OctopusDbContext db, CommandRunner runner, PolicyCatalog catalog, PolicySnapshotBuilder builder,
    PolicyEngine engine, TimeProvider time)
{
    /// <summary>Parses, checks and stores the policy. A malformed document throws <see cref="PolicyDocumentException"/>
    /// or <see cref="PolicyLanguageException"/> (the endpoint reports line, column and field).</summary>
    public async Task<PolicyDto> CreateAsync(Caller caller, CreatePolicyRequest? request, CancellationToken ct)
    {
        if (request?.Document is not { } text || string.IsNullOrWhiteSpace(text))
            throw DomainException.Invalid("document", "Send {\"document\": \"...\"} with the policy's YAML or JSON text (see GET /api/v1/policy-templates).");
        if (text.Length > PolicyDocumentReader.MaxTextLength)
            throw DomainException.Invalid("document", $"The policy is {text.Length} characters long; at most {PolicyDocumentReader.MaxTextLength}.");

        string name, owner, scope;
        bool enabled, isScript = ScriptDocument.IsScript(text);
        if (isScript)
        {
            Permissions.PolicyScript.Authorize(caller);
            var header = ScriptDocument.Parse(text);
            (name, owner, scope, enabled) = (header.Name, caller.Name, "admin", true);
            var probe = catalog.Load(new PolicyRecord { Name = name, Owner = owner, Document = text, IsScript = true }, ownerIsAdmin: true);
            if (probe.Error is { } error) throw DomainException.Invalid("document", error);
        }
        else
        {
            var doc = PolicyDocumentReader.Parse(text);
            CompiledPolicy.Compile(doc);
            (name, owner, scope, enabled) = (doc.Name, doc.Owner.Value, doc.Scope == PolicyScope.Admin ? "admin" : "user", doc.Enabled);
            if (owner != caller.Name) Permissions.PolicyForOwner(owner, caller.Name).Authorize(caller);
            if (doc.Scope == PolicyScope.Admin) Permissions.PolicyAdminScope.Authorize(caller);
            if (doc.Actions.FirstOrDefault(a => a.AdminOnly) is { } adminOnly)
                Permissions.PolicyAdminAction(PolicyActionRequest.Name(adminOnly.Kind)).Authorize(caller);
            var ownerUser = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Name == doc.Owner, ct)
                ?? throw DomainException.Invalid("owner", $"There is no user '{owner}'.");
            if (doc.Scope == PolicyScope.Admin && ownerUser.Role != UserRole.Admin)
                throw DomainException.Invalid("scope", $"An admin-scope policy must be owned by an administrator; '{owner}' is not one.");
        }

        var record = await runner.RunAsync(caller, Permissions.PolicyCreate, $"policy/{name}", async ct =>
        {
            var now = time.GetUtcNow();
            var existing = await db.Policies.FirstOrDefaultAsync(p => p.Name == name, ct);
            if (existing is not null && existing.Owner != owner)
                throw DomainException.Conflict("policy.name-taken", $"A policy named '{name}' already exists (owned by {(caller.IsAdmin ? existing.Owner : "another user")}); choose another name.");
            if (existing is null)
            {
                existing = new PolicyRecord { Name = name, CreatedAt = now };
                db.Policies.Add(existing);
            }
            existing.Owner = owner;
            existing.Scope = scope;
            existing.Document = text;
            existing.IsScript = isScript;
            existing.Enabled = enabled;
            existing.UpdatedAt = now;
            return existing;
        }, ct, r => $"{r.Scope} policy{(r.IsScript ? " (C# script)" : "")}");
        return await ToDtoAsync(record, ct);
    }

    public async Task<IReadOnlyList<PolicyDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        var all = await catalog.LoadAllAsync(ct);
        return all.Where(p => caller.IsAdmin || p.Record.Owner == caller.Name).Select(PolicyCatalog.ToDto).ToList();
    }

    public async Task<PolicyDto> ShowAsync(Caller caller, string name, CancellationToken ct) => await ToDtoAsync(await FindAsync(caller, name, ct), ct);

    public Task<PolicyDto> EnableAsync(Caller caller, string name, CancellationToken ct) => SetEnabledAsync(caller, name, true, ct);

    public Task<PolicyDto> DisableAsync(Caller caller, string name, CancellationToken ct) => SetEnabledAsync(caller, name, false, ct);

    public Task DeleteAsync(Caller caller, string name, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.PolicyDelete, $"policy/{name}", async ct =>
        {
            var record = await FindAsync(caller, name, ct, track: true);
            db.Policies.Remove(record);
            db.PolicyWarnings.RemoveRange(await db.PolicyWarnings.Where(w => w.Policy == record.Name).ToListAsync(ct));
            foreach (var pending in await db.PolicyActions.Where(a => a.Policy == record.Name && a.NextAttemptAt != null).ToListAsync(ct))
                pending.NextAttemptAt = null;
            return record;
        }, ct);

    /// <summary>What the policy would do now (even when disabled), with the reasons and what stops each action.</summary>
    public async Task<PolicyPreviewDto> PreviewAsync(Caller caller, string name, CancellationToken ct)
    {
        var record = await FindAsync(caller, name, ct);
        var ownerIsAdmin = await db.Users.AsNoTracking().AnyAsync(u => u.Name == UserName.Parse(record.Owner, "owner") && u.Role == UserRole.Admin, ct);
        var loaded = catalog.Load(record, ownerIsAdmin);
        var now = time.GetUtcNow();
        if (loaded.Error is { } error) return new PolicyPreviewDto(record.Name, now, [], [$"the policy does not compile: {error}"]);
        var world = await builder.BuildForPreviewAsync(now, ct);
        PolicyEvaluation result;
        var problems = new List<string>();
        if (loaded.Script is { } script)
        {
            var run = await script.RunAsync(world.Snapshot, time, ct);
            if (run.Outcome != Octopus.Policies.Scripting.ScriptOutcome.Completed) problems.Add($"the script {run.Outcome}: {run.Error}");
            result = engine.Evaluate(world.Snapshot, [], scriptProposals: run.Proposals);
        }
        else result = engine.Preview(world.Snapshot, loaded.Compiled!);
        problems.AddRange(result.Problems.Select(p => p.Message));
        problems.AddRange(result.Policies.Where(s => s.Undecided > 0)
            .Select(s => $"{s.Undecided} VM(s) undecided (a fact is absent), e.g. {s.UndecidedExample}"));
        var items = result.Actions.Select(a => new PolicyPreviewItem(a.Vm.ToString(), a.VmName, Describe(a), a.Reason, false, null))
            .Concat(result.Suppressed.Select(s => new PolicyPreviewItem(s.Action.Vm.ToString(), s.Action.VmName, Describe(s.Action), s.Action.Reason, true, s.Why)))
            .ToList();
        return new PolicyPreviewDto(record.Name, now, items, problems);
    }

    public async Task<IReadOnlyList<PolicyHistoryEntry>> HistoryAsync(Caller caller, string name, CancellationToken ct)
    {
        var record = await FindAsync(caller, name, ct);
        var rows = await db.PolicyActions.AsNoTracking().Where(a => a.Policy == record.Name).OrderByDescending(a => a.Id).Take(500).ToListAsync(ct);
        return rows.Select(a => new PolicyHistoryEntry(a.At, a.VmId.ToString(), a.VmName, a.Action,
            a.Result == "failed" && a.NextAttemptAt is { } next ? $"failed (retry at {next:u})" : a.Result, a.Reason, a.Attempt, a.Error)).ToList();
    }

    public static IReadOnlyList<PolicyTemplateDto> Templates() =>
        PolicyTemplates.Names.Select(n => new PolicyTemplateDto(n, PolicyTemplates.Instantiate(n).Description ?? "", PolicyTemplates.Text(n))).ToList();

    private static string Describe(IntendedAction a) => a.Warning is { } w
        ? $"warn (delete not before {w.DeleteNotBefore:u})"
        : PolicyCatalog.Action(a.Action);

    private async Task<PolicyDto> SetEnabledAsync(Caller caller, string name, bool on, CancellationToken ct)
    {
        var record = await runner.RunAsync(caller, on ? Permissions.PolicyEnable : Permissions.PolicyDisable, $"policy/{name}", async ct =>
        {
            var record = await FindAsync(caller, name, ct, track: true);
            record.Enabled = on;
            record.UpdatedAt = time.GetUtcNow();
            // Enabling starts counting from now: a policy off for a week does not fire at once for the runs it missed.
            if (on) record.LastRunAt = record.UpdatedAt;
            return record;
        }, ct);
        return await ToDtoAsync(record, ct);
    }

    private async Task<PolicyRecord> FindAsync(Caller caller, string name, CancellationToken ct, bool track = false)
    {
        var q = track ? db.Policies : db.Policies.AsNoTracking();
        var record = await q.FirstOrDefaultAsync(p => p.Name == name, ct);
        // Someone else's policy is reported exactly like a missing one, so names do not leak.
        if (record is null || (!caller.IsAdmin && record.Owner != caller.Name)) throw DomainException.NotFound("Policy", name);
        return record;
    }

    private async Task<PolicyDto> ToDtoAsync(PolicyRecord record, CancellationToken ct)
    {
        var ownerIsAdmin = await db.Users.AsNoTracking().AnyAsync(u => u.Name == UserName.Parse(record.Owner, "owner") && u.Role == UserRole.Admin, ct);
        return PolicyCatalog.ToDto(catalog.Load(record, ownerIsAdmin));
    }
}
