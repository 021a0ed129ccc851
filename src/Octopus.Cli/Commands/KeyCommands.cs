using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Spectre.Console;

namespace Octopus.Cli.Commands;

/// <summary><c>key add|list|remove</c>: the SSH public keys in your profile, which <c>vm create --ssh-key NAME</c> gives
/// a VM.</summary>
internal static class KeyCommands
{
    public static Command Build(CliGlobals g)
    {
        var key = new Command("key", "Keep SSH public keys in your profile for the VMs you create");
        key.Add(Add(g));
        key.Add(List(g));
        key.Add(Remove(g));
        return key;
    }

    /// <summary>What <c>--ssh-key</c> sends: the contents of an existing file (a .pub), otherwise the text itself (a key name).</summary>
    public static string NameOrFile(string value) => File.Exists(value) ? ReadKeyFile(value) : value;

    private static string ReadKeyFile(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > 16 * 1024) throw CliException.Usage($"{path} is {info.Length} bytes; a public key file is one short line.", "give the .pub file, not the private key.");
        return File.ReadAllText(path).Trim();
    }

    private static Command Add(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "A name for the key (lower-case letters, digits, '-', '_', '.')", HelpName = "NAME" };
        var file = new Argument<string>("file") { Description = "The public key file (e.g. ~/.ssh/id_ed25519.pub), or - to read it from standard input", HelpName = "FILE|-" };
        var command = new Command("add", "Add a public key to your profile") { name, file };
        g.Action(command, async (ctx, parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            string text;
            if (path == "-") text = (await Console.In.ReadToEndAsync(ct)).Trim();
            else if (File.Exists(path)) text = ReadKeyFile(path);
            else throw CliException.Usage($"There is no file {path}.", "give the .pub file's path, or - and the key on standard input.");
            using var client = ctx.Connect();
            var dto = await client.Keys.AddAsync(parse.GetValue(name)!, text, ct);
            if (ctx.Json) ctx.Output.WriteJson(dto);
            else ctx.Output.Note($"Added key {dto.Name}: {dto.Type} {dto.Fingerprint}{(dto.Comment.Length > 0 ? " " + dto.Comment : "")}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliGlobals g)
    {
        var command = new Command("list", "List the public keys in your profile");
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var keys = await client.Keys.ListAsync(ct);
            if (ctx.Json) ctx.Output.WriteJson(keys);
            else if (keys.Count == 0) ctx.Output.Note("No keys; add one with `octopus key add NAME ~/.ssh/id_ed25519.pub`.");
            else
            {
                var table = ctx.Output.NewTable("NAME", "TYPE", "FINGERPRINT", "COMMENT");
                foreach (var k in keys) table.AddRow(Markup.Escape(k.Name), Markup.Escape(k.Type), Markup.Escape(k.Fingerprint), Markup.Escape(k.Comment));
                ctx.Output.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "The key's name", HelpName = "NAME" };
        var command = new Command("remove", "Remove a key from your profile (VMs created with it keep it)") { name };
        command.Aliases.Add("rm");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var n = parse.GetValue(name)!;
            await client.Keys.RemoveAsync(n, ct);
            if (ctx.Json) ctx.Output.WriteJson(new { name = n, removed = true });
            else ctx.Output.Note($"Removed key {n}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
