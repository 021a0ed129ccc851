namespace Octopus.Policies.Language;

/// <summary>Durations as the language writes them ("2h", "10m", "7d", "1h30m"), for policy files and messages.</summary>
public static class DurationText
{
    /// <summary>Parses a duration literal; false (with the reason) when <paramref name="text"/> is not exactly one.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        value = default;
        error = null;
        try
        {
            var tokens = new Lexer(text, LanguageLimits.Default).Tokenize();
            if (tokens.Count == 2 && tokens[0].Kind == TokenKind.Duration)
            {
                value = tokens[0].DurationValue;
                return true;
            }
            error = $"expected a duration such as 30m, 2h or 7d, found '{text}'";
            return false;
        }
        catch (PolicyLanguageException e)
        {
            error = $"expected a duration such as 30m, 2h or 7d, found '{text}' ({e.Detail})";
            return false;
        }
    }

    /// <summary>Formats like the language writes durations: "1d2h", "30m", "0s".</summary>
    public static string Format(TimeSpan value) => Expr.FormatDuration(value);
}
