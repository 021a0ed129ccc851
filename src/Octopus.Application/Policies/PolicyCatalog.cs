using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Language;
using Octopus.Policies.Scripting;
using Octopus.Policies.Snapshots;
using Octopus.Policies.Triggers;

namespace Octopus.Application.Policies;

/// <summary>A stored policy in executable form: a compiled document, or a compiled C# script with its interval. A
/// policy that no longer compiles (e.g. its owner lost admin rights) carries the <see cref="Error"/> and does not run.</summary>
public sealed record LoadedPolicy(PolicyRecord Record, CompiledPolicy? Compiled, ScriptPolicy? Script, ScriptDocument? ScriptHeader, string? Error)
{
    public string Name => Record.Name;
    public UserName Owner => UserName.Parse(Record.Owner, "owner");
}

/// <summary>Loads stored policies and turns them into what the engine runs and the API shows.</summary>
public sealed class PolicyCatalog(OctopusDbContext db, PolicyRuntimeState state, PolicySettings settings)
{
    public async Task<IReadOnlyList<LoadedPolicy>> LoadAllAsync(CancellationToken ct)
    {
        var records = await db.Policies.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        var admins = (await db.Users.AsNoTracking().Where(u => u.Role == UserRole.Admin).Select(u => u.Name).ToListAsync(ct))
            .Select(n => n.Value).ToHashSet(StringComparer.Ordinal);
        return records.Select(r => Load(r, admins.Contains(r.Owner))).ToList();
    }

    /// <summary>Compiles a stored record (scripts are cached by their text: compiling C# takes a while).</summary>
    public LoadedPolicy Load(PolicyRecord record, bool ownerIsAdmin)
    {
        try
        {
            if (record.IsScript)
            {
                var header = ScriptDocument.Parse(record.Document);
                var key = record.Name;
                if (state.Scripts.TryGetValue(key, out var cached) && cached.Code == record.Document && ownerIsAdmin)
                    return new LoadedPolicy(record, null, cached.Script, header, null);
                var script = ScriptPolicy.Create(header.Name, new UserFacts(UserName.Parse(record.Owner, "owner"), ownerIsAdmin ? UserRole.Admin : UserRole.User),
                    header.Code, header.Timeout ?? settings.ScriptTimeout);
                state.Scripts[key] = (record.Document, script);
                return new LoadedPolicy(record, null, script, header, null);
            }
            var doc = PolicyDocumentReader.Parse(record.Document) with { Enabled = true };
            return new LoadedPolicy(record, CompiledPolicy.Compile(doc), null, null, null);
        }
        catch (Exception e) when (e is PolicyDocumentException or PolicyLanguageException or Domain.DomainException)
        {
            return new LoadedPolicy(record, null, null, null, e.Message);
        }
    }

    public static PolicyDto ToDto(LoadedPolicy p)
    {
        var r = p.Record;
        if (p.Script is not null && p.ScriptHeader is { } h)
            return new PolicyDto(r.Name, r.Owner, "admin", r.Enabled, (h.Description is null ? "" : h.Description + " ") + "(C# script: admin-only)",
                $"every {DurationText.Format(h.Interval)}", "(C# script)", ["script"], r.Document, true, r.CreatedAt, r.UpdatedAt, r.LastRunAt,
                r.Enabled ? (r.LastRunAt ?? r.CreatedAt) + h.Interval : null);
        if (p.Compiled is not { } c)
            return new PolicyDto(r.Name, r.Owner, r.Scope, r.Enabled, $"does not compile: {p.Error}", "-", "-", [], r.Document, r.IsScript,
                r.CreatedAt, r.UpdatedAt, r.LastRunAt, null);
        var d = c.Document;
        return new PolicyDto(r.Name, r.Owner, d.Scope == PolicyScope.Admin ? "admin" : "user", r.Enabled, d.Description, Trigger(d), d.Condition.Trim(),
            d.Actions.Select(Action).ToList(), r.Document, false, r.CreatedAt, r.UpdatedAt, r.LastRunAt,
            r.Enabled ? PolicyTriggers.NextDue(c, r.LastRunAt ?? r.CreatedAt) : null);
    }

    public static string Trigger(PolicyDocument d) => d.Trigger switch
    {
        CronTrigger c => $"cron \"{c.Expression}\" ({d.TimeZone})",
        IntervalTrigger i => $"every {DurationText.Format(i.Every)}",
        EventTrigger e => $"on {char.ToLowerInvariant(e.Event.ToString()[0])}{e.Event.ToString()[1..]}",
        _ => "?",
    };

    public static string Action(PolicyAction a) => a switch
    {
        DeleteAction d => $"delete (after a warning and {DurationText.Format(d.Grace)} grace)",
        CheckpointAction c => "checkpoint (" + string.Join(", ",
            new[] { c.KeepLast is { } k ? $"keep last {k}" : null, c.NewerThan is { } n ? $"keep newer than {DurationText.Format(n)}" : null }
                .Where(x => x is not null)) + ")",
        MoveAction m => $"move (at most {m.MaxPerHost} per host)",
        NotifyAction n => n.Message is null ? "notify" : $"notify \"{n.Message}\"",
        _ => PolicyActionRequest.Name(a.Kind),
    };
}
