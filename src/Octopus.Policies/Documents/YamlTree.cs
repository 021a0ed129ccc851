using System.Text.RegularExpressions;
using Octopus.Policies.Language;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Octopus.Policies.Documents;

internal abstract record YNode(SourcePosition Start);

internal sealed record YScalar(SourcePosition Start, string Value, bool Plain, ScalarStyle Style) : YNode(Start);

internal sealed record YMap(SourcePosition Start, IReadOnlyList<(YScalar Key, YNode Value)> Entries) : YNode(Start);

internal sealed record YSeq(SourcePosition Start, IReadOnlyList<YNode> Items) : YNode(Start);

/// <summary>Reads YAML (and JSON, which YAML includes) into a small tree that keeps every node's position, straight from
/// the parser's events. Building it ourselves lets us refuse what a policy never needs and an attacker loves: anchors and
/// aliases (billion laughs), custom tags, several documents, deep nesting, duplicate keys, too many nodes.</summary>
internal static partial class YamlTree
{
    public const int MaxNodes = 2000;
    public const int MaxDepth = 12;

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    public static YNode Read(string text)
    {
        var parser = new TrackingParser(new YamlDotNet.Core.Parser(new StringReader(text)));
        try
        {
            parser.MoveNext();
            Expect<StreamStart>(parser);
            if (parser.Current is StreamEnd)
                throw new PolicyDocumentException(new SourcePosition(1, 1), null, "the policy file is empty");
            Expect<DocumentStart>(parser);
            var nodes = 0;
            var root = ReadNode(parser, 0, ref nodes);
            if (parser.Current is not DocumentEnd)
                throw new PolicyDocumentException(At(parser.Current!.Start), null, "expected the end of the policy");
            parser.MoveNext();
            if (parser.Current is DocumentStart)
                throw new PolicyDocumentException(At(parser.Current.Start), null, "expected one policy per file, found a second document ('---')");
            return root;
        }
        catch (YamlException e)
        {
            throw new PolicyDocumentException(At(e.Start), null, $"not valid YAML: {PositionPrefix().Replace(e.Message, "")}");
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or ArgumentException)
        {
            // YamlDotNet's scanner throws these on some malformed input (found by fuzzing); report where it got to.
            throw new PolicyDocumentException(At(parser.LastEnd), null, "not valid YAML after this point; check quotes, brackets and indentation");
        }
    }

    /// <summary>Remembers where the last event ended, so an unexpected parser failure can still be given a position.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastEnd { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } c) LastEnd = c.End;
            return inner.MoveNext();
        }
    }

    private static SourcePosition At(Mark m) => new((int)Math.Max(1, m.Line), (int)Math.Max(1, m.Column));

    private static void Expect<T>(IParser parser) where T : ParsingEvent
    {
        if (parser.Current is not T)
            throw new PolicyDocumentException(At(parser.Current?.Start ?? Mark.Empty), null, $"expected {typeof(T).Name}");
        parser.MoveNext();
    }

    private static YNode ReadNode(IParser parser, int depth, ref int nodes)
    {
        var ev = parser.Current ?? throw new PolicyDocumentException(new SourcePosition(1, 1), null, "unexpected end of the policy");
        var at = At(ev.Start);
        if (++nodes > MaxNodes) throw new PolicyDocumentException(at, null, $"the policy is too large (more than {MaxNodes} YAML nodes)");
        if (depth > MaxDepth) throw new PolicyDocumentException(at, null, $"the policy is nested too deeply (more than {MaxDepth} levels)");
        switch (ev)
        {
            case AnchorAlias:
                throw new PolicyDocumentException(at, null, "YAML aliases (*name) are not allowed in policies; write the value out");
            case NodeEvent { Anchor.IsEmpty: false }:
                throw new PolicyDocumentException(at, null, "YAML anchors (&name) are not allowed in policies; write the value out");
            case NodeEvent { Tag.IsEmpty: false } n when !IsStandardTag(n.Tag.Value):
                throw new PolicyDocumentException(at, null, $"YAML tags ({n.Tag.Value}) are not allowed in policies");
            case Scalar s:
                parser.MoveNext();
                return new YScalar(at, s.Value, s.Style == ScalarStyle.Plain, s.Style);
            case SequenceStart:
            {
                parser.MoveNext();
                var items = new List<YNode>();
                while (parser.Current is not SequenceEnd) items.Add(ReadNode(parser, depth + 1, ref nodes));
                parser.MoveNext();
                return new YSeq(at, items);
            }
            case MappingStart:
            {
                parser.MoveNext();
                var entries = new List<(YScalar, YNode)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (parser.Current is not MappingEnd)
                {
                    var keyAt = At(parser.Current!.Start);
                    if (ReadNode(parser, depth + 1, ref nodes) is not YScalar key)
                        throw new PolicyDocumentException(keyAt, null, "expected a field name, found a list or mapping");
                    if (!seen.Add(key.Value))
                        throw new PolicyDocumentException(keyAt, key.Value, $"field '{key.Value}' appears twice; keep one");
                    entries.Add((key, ReadNode(parser, depth + 1, ref nodes)));
                }
                parser.MoveNext();
                return new YMap(at, entries);
            }
            default:
                throw new PolicyDocumentException(at, null, $"unexpected {ev.GetType().Name}");
        }
    }

    private static readonly HashSet<string> StandardTags = new[] { "str", "int", "bool", "float", "null", "map", "seq" }
        .Select(t => "tag:yaml.org,2002:" + t).ToHashSet(StringComparer.Ordinal);

    private static bool IsStandardTag(string tag) => StandardTags.Contains(tag);
}
