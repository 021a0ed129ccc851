using Cronos;
using Octopus.Policies.Documents;
using Octopus.Policies.Language;

namespace Octopus.Policies.Evaluation;

/// <summary>A policy ready to run: its document with the condition compiled once, the cron expression parsed and the time
/// zone resolved. Immutable and thread-safe; build it when a policy is created or changed, not per evaluation.</summary>
public sealed class CompiledPolicy
{
    private CompiledPolicy(PolicyDocument document, Condition condition, TimeZoneInfo zone, CronExpression? cron)
    {
        Document = document;
        Condition = condition;
        Zone = zone;
        Cron = cron;
    }

    public PolicyDocument Document { get; }
    public Condition Condition { get; }
    public TimeZoneInfo Zone { get; }

    /// <summary>The parsed cron expression when the trigger is a <see cref="CronTrigger"/>.</summary>
    public CronExpression? Cron { get; }

    public string Name => Document.Name;

    /// <summary>Checks and compiles a document (also one built in code rather than read from a file). Throws
    /// <see cref="PolicyDocumentException"/> naming the field when the document breaks a rule.</summary>
    public static CompiledPolicy Compile(PolicyDocument document, LanguageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var at = new SourcePosition(1, 1);
        Condition condition;
        try { condition = Condition.Compile(document.Condition, limits); }
        catch (PolicyLanguageException e) { throw new PolicyDocumentException(e.Position, "condition", $"in the condition: {e.Detail}"); }
        if (!PolicyDocumentReader.TryFindZone(document.TimeZone, out var zone))
            throw new PolicyDocumentException(at, "timeZone", $"unknown time zone '{document.TimeZone}'");
        if (document.Actions.Count == 0) throw new PolicyDocumentException(at, "actions", "a policy needs at least one action");
        if (document.Scope == PolicyScope.User && document.Select.Owners.Count > 0)
            throw new PolicyDocumentException(at, "select.owners", "a user policy applies only to its owner's VMs, so it cannot select owners");
        foreach (var a in document.Actions)
            if (a.AdminOnly && document.Scope != PolicyScope.Admin)
                throw new PolicyDocumentException(at, "actions", $"'{a.Kind}' chooses hosts, so only an admin policy may use it");
        CronExpression? cron = null;
        if (document.Trigger is CronTrigger c)
        {
            try { cron = PolicyDocumentReader.ParseCron(c.Expression); }
            catch (CronFormatException e) { throw new PolicyDocumentException(at, "trigger.cron", $"'{c.Expression}' is not a valid cron expression ({e.Message})"); }
        }
        return new CompiledPolicy(document, condition, zone, cron);
    }

    /// <summary>Reads and compiles policy text (YAML or JSON) in one step.</summary>
    public static CompiledPolicy Parse(string text) => Compile(PolicyDocumentReader.Parse(text));
}
