using System.CommandLine;
using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Commands;

/// <summary>The one place every top-level command is registered, in help order. Explicit on purpose: no scanning.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All(CliGlobals g)
    {
        foreach (var c in AuthCommands.Build(g)) yield return c;
        yield return VmCommands.Build(g);
        yield return DiskCommands.Build(g);
        yield return HostCommands.Build(g);
        yield return NetworkCommands.Build(g);
        yield return PlanCommands.Build(g);
        yield return UserCommands.Build(g);
        yield return TokenCommands.Build(g);
        yield return KeyCommands.Build(g);
        yield return PolicyCommands.Build(g);
        yield return OperationCommands.Build(g);
        foreach (var c in InfoCommands.Build(g)) yield return c;
        foreach (var c in ScriptCommands.Build(g)) yield return c;

        // Server-side commands: each lives in its own Commands/<Name>Commands.cs with `public static Command
        // Build(CliGlobals g)` calling into Octopus.Server (or the simulator) and is yielded here. They take no
        // token (CliContext.Connect is for client commands only). `simulate` goes here too.
        yield return ServeCommands.Build(g);
        yield return SimulateCommands.Build(g);
        yield return AgentCommands.Build(g);
    }
}
