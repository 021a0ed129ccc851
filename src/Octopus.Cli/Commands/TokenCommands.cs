using System.CommandLine;
using System.Globalization;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;
using Spectre.Console;

namespace Octopus.Cli.Commands;

/// <summary><c>token create|list|revoke</c>: personal API tokens with names, scopes and expiry.</summary>
internal static class TokenCommands
{
    public static Command Build(CliGlobals g)
    {
        var token = new Command("token", "Personal API tokens: create, list, revoke");
        token.Add(Create(g));
        token.Add(List(g));
        token.Add(Revoke(g));
        return token;
    }

    private static Command Create(CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "A name to recognise the token by, e.g. ci-deploy", HelpName = "NAME" };
        var scope = new Option<string[]>("--scope")
        {
            Description = "read, write (implies read) or admin (admins; implies both); repeat or comma-separate. Default: write",
            HelpName = "SCOPE", AllowMultipleArgumentsPerToken = true,
        };
        var days = new Option<int?>("--expires-in-days") { Description = "Days until it expires (1-365, default 90)", HelpName = "DAYS" };
        var command = new Command("create", "Create a personal token; it is printed only this once") { name, scope, days };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var scopes = parse.GetValue(scope) is { Length: > 0 } s ? s : null;
            var created = await client.Tokens.CreateAsync(new TokenCreateRequest(parse.GetValue(name)!, scopes, parse.GetValue(days)), ct);
            if (ctx.Json) ctx.Output.WriteJson(created);
            else
            {
                ctx.Output.Note(created.Token);
                ctx.Output.Note($"Token {created.Id} '{created.Name}' ({string.Join(' ', created.Scopes)}) valid until {Format.Time(created.ExpiresAt)}; " +
                                "store it now, it is not shown again. Use it with OCTOPUS_TOKEN or 'Authorization: Bearer TOKEN'.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliGlobals g)
    {
        var user = new Option<string?>("--user") { Description = "Another user's tokens (admins), or 'all'", HelpName = "NAME" };
        var command = new Command("list", "List your unexpired tokens and sessions (never their values)") { user };
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var tokens = await client.Tokens.ListAsync(parse.GetValue(user), ct);
            if (ctx.Json) ctx.Output.WriteJson(tokens);
            else
            {
                var table = ctx.Output.NewTable("ID", "USER", "KIND", "NAME", "SCOPES", "CREATED", "EXPIRES");
                foreach (var t in tokens)
                    table.AddRow(t.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(t.User), t.Kind, Markup.Escape(t.Name ?? "-"),
                        string.Join(' ', t.Scopes), Format.Time(t.CreatedAt), Format.Time(t.ExpiresAt));
                ctx.Output.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(CliGlobals g)
    {
        var id = new Argument<long>("id") { Description = "The token's id (from `octopus token list`)", HelpName = "ID" };
        var command = new Command("revoke", "Revoke a token; it stops working at once") { id };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            await client.Tokens.RevokeAsync(parse.GetValue(id), ct);
            ctx.Output.Note($"Revoked token {parse.GetValue(id)}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
