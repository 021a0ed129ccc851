using Octopus.Policies.Documents;

namespace Octopus.Policies.Tests.Documents;

public class PolicyDocumentReaderTests
{
    private const string Valid = """
        name: idle-off
        owner: alice
        trigger:
          interval: 10m
        condition: vm.state == "Running" && vm.cpu.max(2h) < 5
        actions:
          - shutdown
          - notify: { message: "idle" }
        """;

    private const string Rest = "trigger: { interval: 10m }\ncondition: 'true'\nactions: [shutdown]\n";

    [Fact]
    public void Parse_ValidYaml_ReadsEveryField()
    {
        var doc = PolicyDocumentReader.Parse(Valid);
        doc.Name.Should().Be("idle-off");
        doc.Owner.Value.Should().Be("alice");
        doc.Scope.Should().Be(PolicyScope.User);
        doc.Enabled.Should().BeTrue();
        doc.Priority.Should().Be(50);
        doc.Trigger.Should().Be(new IntervalTrigger(TimeSpan.FromMinutes(10)));
        doc.Actions.Should().Equal(new ShutdownAction(), new NotifyAction("idle"));
    }

    [Fact]
    public void Parse_Json_ReadsTheSamePolicy()
    {
        var json = """
            {
              "name": "nightly",
              "owner": "root",
              "scope": "admin",
              "priority": 70,
              "timeZone": "Europe/Rome",
              "select": { "tags": ["nightly"], "olderThan": "1d" },
              "trigger": { "cron": "0 2 * * *" },
              "condition": "true",
              "actions": [ { "checkpoint": { "keepLast": 7, "newerThan": "30d" } } ]
            }
            """;
        var doc = PolicyDocumentReader.Parse(json);
        doc.Scope.Should().Be(PolicyScope.Admin);
        doc.Priority.Should().Be(70);
        doc.Select.Tags.Should().Equal("nightly");
        doc.Select.OlderThan.Should().Be(TimeSpan.FromDays(1));
        doc.Trigger.Should().Be(new CronTrigger("0 2 * * *"));
        doc.Actions.Should().Equal(new CheckpointAction(7, TimeSpan.FromDays(30)));
    }

    [Theory]
    [InlineData("triger", "line 3, column 1: unknown field 'triger' in the policy (did you mean 'trigger'?); expected one of name, *")]
    [InlineData("ownr", "line 3, column 1: unknown field 'ownr' in the policy (did you mean 'owner'?)*")]
    [InlineData("run_as_root", "line 3, column 1: unknown field 'run_as_root' in the policy; expected one of*")]
    public void Parse_UnknownTopLevelField_NamesItWithPosition(string field, string message)
    {
        var text = $"name: p\nowner: alice\n{field}: x\ntrigger: {{ interval: 10m }}\ncondition: 'true'\nactions: [shutdown]\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage(message).Which.Field.Should().Be(field);
    }

    [Theory]
    [InlineData("trigger: { interval: 10m, every: 5m }", "line 3, column 27: unknown field 'every' in trigger (did you mean 'event'?); expected one of cron, interval, event")]
    [InlineData("trigger: { cron: '0 2 * *', interval: 5m }", "line 3, column 10: expected exactly one of cron*")]
    [InlineData("trigger: { cron: '61 2 * * *' }", "line 3, column 18: '61 2 * * *' is not a valid cron expression*")]
    [InlineData("trigger: { interval: 10s }", "line 3, column 22: the interval must be between 1m and 30d, found 10s")]
    [InlineData("trigger: { interval: ten }", "line 3, column 22: expected a duration such as 30m, 2h or 7d, found 'ten'*")]
    [InlineData("trigger: { event: hostDied }", "line 3, column 19: 'hostDied' is not a valid trigger.event; expected one of vmStateChanged, hostFailed, leaseExpiring")]
    public void Parse_BadTrigger_SaysWhatToWrite(string trigger, string message)
    {
        var text = $"name: p\nowner: alice\n{trigger}\ncondition: 'true'\nactions: [shutdown]\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage(message);
    }

    [Theory]
    [InlineData("- reboot", "line 6, column 5: unknown action 'reboot'; expected one of shutdown, suspend, delete, move, restartElsewhere, checkpoint, notify")]
    [InlineData("- shutdwn", "line 6, column 5: unknown action 'shutdwn' (did you mean 'shutdown'?)*")]
    [InlineData("- checkpoint: { keep: 7 }", "line 6, column 19: unknown field 'keep' in action 'checkpoint'; expected one of keepLast, newerThan")]
    [InlineData("- checkpoint", "line 6, column 5: a checkpoint needs a retention*")]
    [InlineData("- checkpoint: { keepLast: 0 }", "line 6, column 29: expected a whole number from 1 to 1000 for 'actions[0].checkpoint.keepLast', found '0'")]
    [InlineData("- move", "line 6, column 5: 'move' chooses hosts, so only an admin policy may use it (scope: admin)")]
    [InlineData("- shutdown\n  - shutdown", "line 7, column 5: action 'shutdown' appears twice; keep one")]
    [InlineData("- shutdown: { force: true }", "line 6, column 17: unknown field 'force' in action 'shutdown'; it takes no options")]
    [InlineData("- delete: { grace: 90d }", "line 6, column 22: the grace period must be between 0s and 30d")]
    public void Parse_BadAction_SaysWhatToWrite(string action, string message)
    {
        var text = $"name: p\nowner: alice\ntrigger: {{ interval: 10m }}\ncondition: 'true'\nactions:\n  {action}\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage(message);
    }

    [Fact]
    public void Parse_ConditionError_PointsIntoTheFile()
    {
        // The condition starts at column 12 of line 4; its error is at condition column 12 → file column 12 + 12 - 1 = 23.
        var text = "name: p\nowner: alice\ntrigger: { interval: 10m }\ncondition: vm.cpu.avg(x) < 5\nactions: [shutdown]\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>()
            .WithMessage("line 4, column 23: in the condition (line 1, column 12): expected a duration such as 2h, found 'x'")
            .Which.Field.Should().Be("condition");
    }

    [Fact]
    public void Parse_BlockConditionError_PointsIntoTheFile()
    {
        // Block scalar: condition line 2 is file line 6; indentation 2 + condition column 4 = column 6.
        var text = "name: p\nowner: alice\ntrigger: { interval: 10m }\ncondition: |\n  vm.state == \"Running\" &&\n  vm.nope > 1\nactions: [shutdown]\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage("line 6, column 3: in the condition (line 2, column 1): unknown fact 'vm.nope'*");
    }

    [Theory]
    [InlineData("name: p\nname: q\n", "line 2, column 1: field 'name' appears twice; keep one")]
    [InlineData("", "line 1, column 1: the policy file is empty")]
    [InlineData("- a\n- b\n", "line 1, column 1: expected a policy (a mapping with name, owner, trigger, condition and actions)")]
    [InlineData("name: p\nowner: alice\n", "line 1, column 1: the policy has no 'condition'; add it")]
    [InlineData("name: Bad_Name\nowner: alice\n", "line 1, column 7: 'Bad_Name' is not a valid policy name*")]
    [InlineData("name: p\nowner: Alice!\n", "line 2, column 8: 'Alice!' is not a valid user name*")]
    [InlineData("name: p\nowner: alice\ntimeZone: Mars/Olympus\n", "line 3, column 11: unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Rome or UTC")]
    [InlineData("name: p\nowner: alice\nselect: { owners: [bob] }\n", "line 3, column 9: a user policy applies only to its owner's VMs, so it cannot select owners*")]
    [InlineData("name: p\nowner: alice\npriority: 1000\n" + Rest, "line 3, column 11: expected a whole number from 0 to 100 for 'priority', found '1000'")]
    [InlineData("name: p\nowner: alice\nenabled: yes\n" + Rest, "line 3, column 10: expected true or false for 'enabled', found 'yes'")]
    [InlineData("name: p\nowner: [alice]\n", "line 2, column 8: expected text for 'owner', found a list")]
    [InlineData("name: p\n  owner: : :\n", "line 2, column *: not valid YAML: *")]
    [InlineData("name: p\n---\nname: q\n", "line 2, column 1: expected one policy per file, found a second document ('---')")]
    [InlineData("{ \"name\": \"p\", }", "line 1, column 16: not valid JSON: *")]
    [InlineData("name: !!python/object:os.system p\n", "line 1, column 7: YAML tags (tag:yaml.org,2002:python/object:os.system) are not allowed in policies")]
    public void Parse_MalformedDocument_Refused(string text, string message)
    {
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage(message);
    }

    [Fact]
    public void Parse_BillionLaughs_RefusedAtTheFirstAnchor()
    {
        var text = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage("line 1, column 4: YAML anchors (&name) are not allowed in policies; write the value out");
    }

    [Fact]
    public void Parse_HugeFile_Refused()
    {
        var text = Valid + "\ndescription: " + new string('x', 70_000);
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage("line 1, column 1: the policy file is too large: * characters, at most 65536");
    }

    [Fact]
    public void Parse_EndlessList_RefusedAtNodeLimit()
    {
        var text = "name: p\nowner: alice\nselect:\n  tags: [" + string.Join(",", Enumerable.Range(0, 3000).Select(i => $"t{i}")) + "]\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage("*the policy is too large (more than 2000 YAML nodes)");
    }

    [Fact]
    public void Parse_LongSelectorList_Refused()
    {
        var text = "name: p\nowner: root\nscope: admin\nselect:\n  tags: [" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"t{i}")) +
            "]\ntrigger: { interval: 10m }\ncondition: 'true'\nactions: [shutdown]\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage("line 5, column 9: 'select.tags' has 100 items, at most 64");
    }

    [Fact]
    public void Parse_DeepNesting_Refused()
    {
        var text = "name: p\ndescription: " + new string('[', 50) + new string(']', 50) + "\n";
        var act = () => PolicyDocumentReader.Parse(text);
        act.Should().Throw<PolicyDocumentException>().WithMessage("*the policy is nested too deeply (more than 12 levels)");
    }
}
