using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Scripting;

namespace Octopus.Cli.Commands;

/// <summary><c>octopus script FILE.csx [-- args]</c> runs a C# script non-interactively; <c>octopus shell</c> opens a C#
/// REPL. Both start with a connected client as <c>octopus</c> and the client's namespaces imported.</summary>
internal static class ScriptCommands
{
    public static IEnumerable<Command> Build(CliGlobals g) => [Script(g), Shell(g)];

    private static Command Script(CliGlobals g)
    {
        var file = new Argument<string>("FILE") { Description = "The C# script (.csx) to run" };
        var args = new Argument<string[]>("ARGS")
        {
            Description = "Arguments for the script, as Args (put them after `--` when they start with a dash)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("script", "Run a C# script with a connected client as `octopus` (exit 1 on compile or script errors)") { file, args };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var globals = new ScriptGlobals(client, parse.GetValue(args) ?? [], ctx.Host.Out);
            return await ScriptRunner.RunFileAsync(parse.GetValue(file)!, globals, ctx.Host.Error, ct);
        });
        return command;
    }

    private static Command Shell(CliGlobals g)
    {
        var command = new Command("shell", "Open a C# REPL with a connected client as `octopus` (#exit or Ctrl+D leaves)");
        g.Action(command, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var me = await client.GetMeAsync(ct); // fail now, with the CLI's message, if the server or token is wrong
            var prompt = ctx.Host.InputIsTerminal;
            if (prompt)
                ctx.Host.Out.WriteLine($"Connected to {client.BaseAddress} as {me.Username}. `octopus` is the client; try `octopus.Vms.All()`. #exit leaves.");
            var globals = new ScriptGlobals(client, [], ctx.Host.Out);
            return await ScriptRunner.ShellAsync(globals, ctx.Host.In, ctx.Host.Out, ctx.Host.Error, prompt, ct);
        });
        return command;
    }
}
