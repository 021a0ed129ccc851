using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary><c>octopus operation list|show|wait</c> against a real server process.</summary>
public class OperationEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task List_Show_Wait_TheCreateOfAVm()
    {
        var admin = server.AdminOrSkip();
        var create = await admin.RunAsync("vm", "create", "--name", "e2e-ops1", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB", "--image", "debian-12", "--json");
        create.Exit.Should().Be(ExitCodes.Ok, create.Err);

        var listed = CliProcess.Parse<List<OperationDto>>(await admin.RunAsync("operation", "list", "--vm", "e2e-ops1", "--json"));
        var op = listed.Should().ContainSingle(o => o.Kind == "create-vm").Which;

        var waited = await admin.RunAsync("operation", "wait", op.Id, "--timeout", "120");
        waited.Exit.Should().Be(ExitCodes.Ok, waited.Err);
        waited.Out.Should().Contain("Succeeded").And.Contain("create-vm").And.Contain("e2e-ops1");

        var table = await admin.RunAsync("op", "ls", "--vm", "e2e-ops1", "--status", "succeeded");
        table.Exit.Should().Be(ExitCodes.Ok, table.Err);
        table.Out.Should().Contain(op.Id).And.Contain("create-vm");

        var shown = await admin.RunAsync("operation", "show", op.Id);
        shown.Exit.Should().Be(ExitCodes.Ok, shown.Err);
        shown.Out.Should().Contain("Completed");
    }

    [Fact]
    public async Task BadInput_SaysWhatToGive()
    {
        var admin = server.AdminOrSkip();
        var status = await admin.RunAsync("operation", "list", "--status", "done");
        status.Exit.Should().Be(ExitCodes.Usage);
        status.Err.Should().Contain("done");

        var id = await admin.RunAsync("operation", "show", "nope");
        id.Exit.Should().Be(ExitCodes.Rejected);
        id.Err.Should().Contain("is not an operation id");

        var missing = await admin.RunAsync("operation", "show", Guid.NewGuid().ToString());
        missing.Exit.Should().Be(ExitCodes.Rejected);
        missing.Err.Should().Contain("was not found");
    }
}
