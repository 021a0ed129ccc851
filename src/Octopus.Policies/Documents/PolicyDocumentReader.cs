using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cronos;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Policies.Language;

namespace Octopus.Policies.Documents;

/// <summary>Reads policy documents from YAML or JSON with strict validation: unknown fields are refused with their
/// position (and the nearest known name), sizes are bounded, and the condition, cron expression and time zone are checked
/// so a policy that reads is a policy that runs. The format is JSON when the text starts with '{', YAML otherwise.</summary>
public static partial class PolicyDocumentReader
{
    /// <summary>Largest policy file accepted (64 KiB): a policy is a few lines; anything bigger is a mistake or an attack.</summary>
    public const int MaxTextLength = 64 * 1024;

    public const int MaxActions = 8;
    public const int MaxSelectorItems = 64;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    private static readonly string[] PolicyFields =
        ["name", "description", "owner", "scope", "enabled", "priority", "timeZone", "select", "trigger", "condition", "actions"];
    private static readonly string[] SelectFields = ["owners", "tags", "hosts", "images", "olderThan", "newerThan"];
    private static readonly string[] TriggerFields = ["cron", "interval", "event"];
    private static readonly string[] ActionKinds = ["shutdown", "suspend", "delete", "move", "restartElsewhere", "checkpoint", "notify"];

    /// <summary>Parses one policy. Throws <see cref="PolicyDocumentException"/> saying where and what is wrong.</summary>
    public static PolicyDocument Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxTextLength)
            throw new PolicyDocumentException(new SourcePosition(1, 1), null,
                $"the policy file is too large: {text.Length} characters, at most {MaxTextLength}");
        if (text.TrimStart().StartsWith('{')) CheckJson(text);
        var root = YamlTree.Read(text);
        if (root is not YMap map)
            throw new PolicyDocumentException(root.Start, null, "expected a policy (a mapping with name, owner, trigger, condition and actions)");
        return ReadPolicy(map, text);
    }

    /// <summary>JSON goes through the YAML reader for positions, but must first be real JSON (no YAML-only syntax).</summary>
    private static void CheckJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = YamlTree.MaxDepth + 2 });
        }
        catch (JsonException e)
        {
            var detail = e.Message.Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            throw new PolicyDocumentException(new SourcePosition((int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1), null,
                $"not valid JSON: {detail}");
        }
    }

    private static PolicyDocument ReadPolicy(YMap map, string text)
    {
        var f = Fields(map, "the policy", "", PolicyFields);
        var name = Str(Required(f, map, "name", ""), "name", 63);
        if (!NamePattern().IsMatch(name))
            throw Error(f["name"], "name", $"'{name}' is not a valid policy name: use 1-63 lower-case letters, digits and '-', starting with a letter");
        var ownerNode = Required(f, map, "owner", "");
        UserName owner;
        try { owner = UserName.Parse(Str(ownerNode, "owner", 32), "owner"); }
        catch (DomainException e) { throw Error(ownerNode, "owner", e.Message.TrimEnd('.')); }
        var scope = f.TryGetValue("scope", out var s) ? Enum(s, "scope", ["user", "admin"]) switch
        {
            "admin" => PolicyScope.Admin,
            _ => PolicyScope.User,
        } : PolicyScope.User;
        var zone = f.TryGetValue("timeZone", out var tz) ? Str(tz, "timeZone", 64) : "UTC";
        if (!TryFindZone(zone, out _))
            throw Error(tz!, "timeZone", $"unknown time zone '{zone}': use an IANA name such as Europe/Rome or UTC");
        var select = f.TryGetValue("select", out var sel) ? ReadSelector(sel) : PolicySelector.All;
        if (scope == PolicyScope.User && select.Owners.Count > 0)
            throw Error(sel!, "select.owners",
                "a user policy applies only to its owner's VMs, so it cannot select owners; remove select.owners or make it an admin policy");
        var conditionNode = Required(f, map, "condition", "");
        var condition = Str(conditionNode, "condition", LanguageLimits.Default.MaxSourceLength);
        CheckCondition(conditionNode, condition, text);
        var actions = ReadActions(Required(f, map, "actions", ""), scope);
        return new PolicyDocument
        {
            Name = name,
            Description = f.TryGetValue("description", out var d) ? Str(d, "description", 500) : null,
            Owner = owner,
            Scope = scope,
            Enabled = !f.TryGetValue("enabled", out var en) || Bool(en, "enabled"),
            Priority = f.TryGetValue("priority", out var p) ? Int(p, "priority", 0, 100) : 50,
            TimeZone = zone,
            Select = select,
            Trigger = ReadTrigger(Required(f, map, "trigger", ""), zone),
            Condition = condition,
            Actions = actions,
        };
    }

    internal static bool TryFindZone(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (id is "UTC" or "Etc/UTC") return true;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Compiles the condition now, translating its error position into the file's.</summary>
    private static void CheckCondition(YNode node, string condition, string text)
    {
        try
        {
            Condition.Compile(condition);
        }
        catch (PolicyLanguageException e)
        {
            var s = (YScalar)node;
            SourcePosition filePos;
            if (s.Style is YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded)
            {
                var lines = text.Split('\n');
                var line = s.Start.Line + e.Position.Line;
                var indent = line - 1 < lines.Length ? lines[line - 1].Length - lines[line - 1].TrimStart().Length : 0;
                filePos = new SourcePosition(line, indent + e.Position.Column);
            }
            else
            {
                var quote = s.Plain ? 0 : 1;
                filePos = e.Position.Line == 1 ? new SourcePosition(s.Start.Line, s.Start.Column + quote + e.Position.Column - 1)
                    : new SourcePosition(s.Start.Line + e.Position.Line - 1, e.Position.Column);
            }
            throw new PolicyDocumentException(filePos, "condition", $"in the condition ({e.Position}): {e.Detail}");
        }
    }

    private static PolicySelector ReadSelector(YNode node)
    {
        var map = Map(node, "select");
        var f = Fields(map, "select", "select.", SelectFields);
        var owners = new List<UserName>();
        if (f.TryGetValue("owners", out var o))
            foreach (var item in List(o, "select.owners", MaxSelectorItems))
            {
                try { owners.Add(UserName.Parse(Str(item, "select.owners", 32), "select.owners")); }
                catch (DomainException e) { throw Error(item, "select.owners", e.Message.TrimEnd('.')); }
            }
        return new PolicySelector
        {
            Owners = owners,
            Tags = f.TryGetValue("tags", out var t) ? List(t, "select.tags", MaxSelectorItems).Select(i => Str(i, "select.tags", 63)).ToList() : [],
            Hosts = f.TryGetValue("hosts", out var h) ? List(h, "select.hosts", MaxSelectorItems).Select(i => Str(i, "select.hosts", 128)).ToList() : [],
            Images = f.TryGetValue("images", out var im) ? List(im, "select.images", MaxSelectorItems).Select(i => Str(i, "select.images", 128)).ToList() : [],
            OlderThan = f.TryGetValue("olderThan", out var ot) ? Duration(ot, "select.olderThan") : null,
            NewerThan = f.TryGetValue("newerThan", out var nt) ? Duration(nt, "select.newerThan") : null,
        };
    }

    private static PolicyTrigger ReadTrigger(YNode node, string zone)
    {
        var map = Map(node, "trigger");
        var f = Fields(map, "trigger", "trigger.", TriggerFields);
        if (f.Count != 1)
            throw new PolicyDocumentException(map.Start, "trigger",
                "expected exactly one of cron (e.g. \"0 2 * * *\"), interval (e.g. 15m) or event (vmStateChanged, hostFailed, leaseExpiring)");
        if (f.TryGetValue("cron", out var c))
        {
            var expr = Str(c, "trigger.cron", 128);
            try { ParseCron(expr); }
            catch (CronFormatException e) { throw Error(c, "trigger.cron", $"'{expr}' is not a valid cron expression ({e.Message.TrimEnd('.')}); e.g. \"0 2 * * *\" for 02:00 every day in {zone}"); }
            return new CronTrigger(expr);
        }
        if (f.TryGetValue("interval", out var i))
        {
            var every = Duration(i, "trigger.interval");
            if (every < TimeSpan.FromMinutes(1) || every > TimeSpan.FromDays(30))
                throw Error(i, "trigger.interval", $"the interval must be between 1m and 30d, found {DurationText.Format(every)}");
            return new IntervalTrigger(every);
        }
        var e2 = f["event"];
        return new EventTrigger(Enum(e2, "trigger.event", ["vmStateChanged", "hostFailed", "leaseExpiring"]) switch
        {
            "vmStateChanged" => PolicyEventKind.VmStateChanged,
            "hostFailed" => PolicyEventKind.HostFailed,
            _ => PolicyEventKind.LeaseExpiring,
        });
    }

    /// <summary>Five fields (minute precision) or six (with seconds).</summary>
    internal static CronExpression ParseCron(string expr) =>
        CronExpression.Parse(expr, expr.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    private static List<PolicyAction> ReadActions(YNode node, PolicyScope scope)
    {
        var items = List(node, "actions", MaxActions);
        if (items.Count == 0) throw Error(node, "actions", "expected at least one action, e.g. '- shutdown'");
        var actions = new List<PolicyAction>();
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"actions[{i}]";
            var item = items[i];
            string kind;
            YMap? options = null;
            if (item is YScalar ks) kind = ks.Value;
            else if (item is YMap m && m.Entries.Count == 1)
            {
                kind = m.Entries[0].Key.Value;
                var v = m.Entries[0].Value;
                if (v is YMap om) options = om;
                else if (!(v is YScalar { Plain: true } empty && (empty.Value.Length == 0 || empty.Value == "null")))
                    throw Error(v, field, $"expected the options of '{kind}' as a mapping, e.g. '- checkpoint: {{ keepLast: 7 }}'");
            }
            else throw Error(item, field, "expected an action such as '- shutdown' or '- checkpoint: { keepLast: 7 }' (one kind per list item)");
            var at = item is YMap im ? im.Entries[0].Key : item;
            if (!ActionKinds.Contains(kind))
                throw Error(at, field, $"unknown action '{kind}'{Suggest(kind, ActionKinds)}; expected one of {string.Join(", ", ActionKinds)}");
            var opts = options is null ? new Dictionary<string, YNode>() : Fields(options, $"action '{kind}'", $"{field}.{kind}.", OptionsOf(kind));
            var pre = $"{field}.{kind}.";
            PolicyAction action = kind switch
            {
                "shutdown" => new ShutdownAction(),
                "suspend" => new SuspendAction(),
                "restartElsewhere" => new RestartElsewhereAction(),
                "delete" => new DeleteAction(opts.TryGetValue("grace", out var g) ? Duration(g, pre + "grace") : DeleteAction.DefaultGrace),
                "move" => new MoveAction(opts.TryGetValue("maxPerHost", out var mp) ? Int(mp, pre + "maxPerHost", 1, 100) : 1),
                "notify" => new NotifyAction(opts.TryGetValue("message", out var msg) ? Str(msg, pre + "message", 500) : null),
                _ => Checkpoint(opts, at, pre),
            };
            if (action is DeleteAction { Grace: var grace } && (grace < TimeSpan.Zero || grace > TimeSpan.FromDays(30)))
                throw Error(opts["grace"], pre + "grace", "the grace period must be between 0s and 30d");
            if (action.AdminOnly && scope != PolicyScope.Admin)
                throw Error(at, field, $"'{kind}' chooses hosts, so only an admin policy may use it (scope: admin)");
            if (actions.Exists(a => a.Kind == action.Kind))
                throw Error(at, field, $"action '{kind}' appears twice; keep one");
            actions.Add(action);
        }
        return actions;
    }

    private static string[] OptionsOf(string kind) => kind switch
    {
        "delete" => ["grace"],
        "move" => ["maxPerHost"],
        "notify" => ["message"],
        "checkpoint" => ["keepLast", "newerThan"],
        _ => [],
    };

    private static CheckpointAction Checkpoint(Dictionary<string, YNode> opts, YNode at, string pre)
    {
        int? keep = opts.TryGetValue("keepLast", out var k) ? Int(k, pre + "keepLast", 1, 1000) : null;
        TimeSpan? newer = opts.TryGetValue("newerThan", out var n) ? Duration(n, pre + "newerThan") : null;
        if (keep is null && newer is null)
            throw Error(at, pre.TrimEnd('.'), "a checkpoint needs a retention: keepLast (e.g. 7) and/or newerThan (e.g. 30d)");
        if (newer <= TimeSpan.Zero) throw Error(n!, pre + "newerThan", "newerThan must be longer than zero");
        return new CheckpointAction(keep, newer);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static PolicyDocumentException Error(YNode node, string field, string detail) => new(node.Start, field, detail);

    private static Dictionary<string, YNode> Fields(YMap map, string what, string prefix, string[] allowed)
    {
        var result = new Dictionary<string, YNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            if (!allowed.Contains(key.Value))
                throw new PolicyDocumentException(key.Start, prefix + key.Value,
                    $"unknown field '{key.Value}' in {what}{Suggest(key.Value, allowed)}; " +
                    (allowed.Length == 0 ? "it takes no options" : $"expected one of {string.Join(", ", allowed)}"));
            result[key.Value] = value;
        }
        return result;
    }

    private static YNode Required(Dictionary<string, YNode> f, YMap map, string name, string prefix) =>
        f.TryGetValue(name, out var n) ? n : throw new PolicyDocumentException(map.Start, prefix + name, $"the policy has no '{name}'; add it");

    private static YMap Map(YNode node, string field) =>
        node as YMap ?? throw Error(node, field, $"expected a mapping (field: value lines) for '{field}'");

    private static List<YNode> List(YNode node, string field, int max)
    {
        if (node is not YSeq seq) throw Error(node, field, $"expected a list for '{field}', e.g. [a, b]");
        if (seq.Items.Count > max) throw Error(node, field, $"'{field}' has {seq.Items.Count} items, at most {max}");
        return seq.Items.ToList();
    }

    private static string Str(YNode node, string field, int max)
    {
        if (node is not YScalar s) throw Error(node, field, $"expected text for '{field}', found a {(node is YSeq ? "list" : "mapping")}");
        if (s.Value.Length > max) throw Error(node, field, $"'{field}' is too long: {s.Value.Length} characters, at most {max}");
        return s.Value;
    }

    private static bool Bool(YNode node, string field) => Str(node, field, 5) switch
    {
        "true" => true,
        "false" => false,
        var v => throw Error(node, field, $"expected true or false for '{field}', found '{v}'"),
    };

    private static int Int(YNode node, string field, int min, int max)
    {
        var text = Str(node, field, 12);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw Error(node, field, $"expected a whole number from {min} to {max} for '{field}', found '{text}'");
        return v;
    }

    private static TimeSpan Duration(YNode node, string field)
    {
        var text = Str(node, field, 32);
        return DurationText.TryParse(text, out var v, out var error) ? v : throw Error(node, field, error!);
    }

    private static string Enum(YNode node, string field, string[] values)
    {
        var text = Str(node, field, 32);
        return values.Contains(text) ? text
            : throw Error(node, field, $"'{text}' is not a valid {field}{Suggest(text, values)}; expected one of {string.Join(", ", values)}");
    }

    /// <summary>"; did you mean 'trigger'?" when a known name is within two edits.</summary>
    private static string Suggest(string given, IEnumerable<string> known)
    {
        var best = known.Select(k => (k, d: Distance(given.ToLowerInvariant(), k.ToLowerInvariant()))).OrderBy(p => p.d).FirstOrDefault();
        return best.k is not null && best.d <= 2 ? $" (did you mean '{best.k}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64) return int.MaxValue;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
