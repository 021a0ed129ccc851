using CsCheck;
using Octopus.Policies.Documents;
using Octopus.Policies.Language;

namespace Octopus.Policies.Tests.Language;

/// <summary>Random text never gets past the front door with anything but a positioned error: no crash, no other exception.</summary>
public class FuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    // Pieces of the language and near-misses, so random strings often parse and reach the type checker and evaluator.
    private static readonly string[] Pieces =
    [
        "vm.", "host.", "now.", "user.", "state", "cpu", "avg(", "max(", "min(", "lease", "expired", "expiresIn", "tags", "age",
        "hour", "weekday", "cores", "has(", "size(", "int(", "double(", "(", ")", "[", "]", ",", ".", "!", "&&", "||", "==", "!=",
        "<", "<=", ">", ">=", "+", "-", "*", "/", "%", " in ", "\"Running\"", "'x'", "\"", "2h", "10m", "7d", "0s", "5", "2.5",
        "true", "false", " ", "\n", "//c\n", "99999999999999999999", "1h30m", "x", "=", "&", "|", "\\", "#",
    ];

    [Fact]
    public void Compile_RandomText_CompilesOrGivesPositionedError()
    {
        var snapshot = new SnapshotBuilder(Now).User("alice").Host("h", cpu: SnapshotBuilder.Flat(50, 130))
            .Vm("v", "alice", v => v.OnHost("h").Tags("a").Lease(Now).Cpu(SnapshotBuilder.Flat(3, 130))).Build();
        Gen.Int[0, Pieces.Length - 1].Array[1, 40].Select(ix => string.Concat(ix.Select(i => Pieces[i])))
            .Sample(text =>
            {
                Condition compiled;
                try { compiled = Condition.Compile(text); }
                catch (PolicyLanguageException e)
                {
                    e.Message.Should().MatchRegex(@"^line \d+, column \d+: ");
                    return;
                }
                var ctx = ConditionHarness.Context(snapshot, "v");
                try { compiled.Evaluate(ctx); }
                catch (StepLimitExceededException) { }
            }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Parse_RandomlyMutatedPolicy_ParsesOrGivesPositionedError()
    {
        const string valid = "name: p\nowner: alice\ntrigger: { interval: 10m }\ncondition: vm.cpu.max(2h) < 5\nactions:\n  - checkpoint: { keepLast: 7 }\n";
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Char["{}[]:,-&*!|>'\"#% \n\tax0"], Gen.Int[0, 2])
            .Array[1, 6]
            .Select(edits =>
            {
                var text = valid.ToCharArray().ToList();
                foreach (var (at, c, how) in edits)
                {
                    var i = Math.Min(at, text.Count - 1);
                    if (how == 0) text[i] = c;
                    else if (how == 1) text.Insert(i, c);
                    else if (text.Count > 1) text.RemoveAt(i);
                }
                return new string(text.ToArray());
            })
            .Sample(text =>
            {
                try { PolicyDocumentReader.Parse(text); }
                catch (PolicyDocumentException e) { e.Message.Should().MatchRegex(@"^line \d+, column \d+: "); }
            }, iter: 2000, seed: "0N0XIzNsQ0O2");
    }
}
