using System.Globalization;
using System.Text;

namespace Octopus.Policies.Language;

/// <summary>Turns condition text into tokens. Literals are checked against <see cref="LanguageLimits"/> here, so a huge
/// number or string is refused before anything is built from it.</summary>
internal sealed class Lexer
{
    private const int MaxNumberDigits = 18; // every 18-digit integer fits in a long

    private readonly string _text;
    private readonly LanguageLimits _limits;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    public Lexer(string text, LanguageLimits limits)
    {
        _text = text;
        _limits = limits;
    }

    public List<Token> Tokenize()
    {
        var tokens = new List<Token>();
        while (true)
        {
            var t = Next();
            tokens.Add(t);
            if (t.Kind == TokenKind.End) return tokens;
        }
    }

    private SourcePosition Here => new(_line, _pos - _lineStart + 1);

    private Token Next()
    {
        SkipSpace();
        var start = Here;
        if (_pos >= _text.Length) return new Token(TokenKind.End, "", start);
        var c = _text[_pos];
        if (char.IsAsciiLetter(c) || c == '_') return Word(start);
        if (char.IsAsciiDigit(c)) return Number(start);
        if (c is '"' or '\'') return StringLiteral(start, c);
        _pos++;
        var next = _pos < _text.Length ? _text[_pos] : '\0';
        switch (c)
        {
            case '(': return new Token(TokenKind.LParen, "(", start);
            case ')': return new Token(TokenKind.RParen, ")", start);
            case '[': return new Token(TokenKind.LBracket, "[", start);
            case ']': return new Token(TokenKind.RBracket, "]", start);
            case ',': return new Token(TokenKind.Comma, ",", start);
            case '.': return new Token(TokenKind.Dot, ".", start);
            case '+': return new Token(TokenKind.Plus, "+", start);
            case '-': return new Token(TokenKind.Minus, "-", start);
            case '*': return new Token(TokenKind.Star, "*", start);
            case '/': return new Token(TokenKind.Slash, "/", start);
            case '%': return new Token(TokenKind.Percent, "%", start);
            case '!' when next == '=': _pos++; return new Token(TokenKind.NotEqual, "!=", start);
            case '!': return new Token(TokenKind.Not, "!", start);
            case '=' when next == '=': _pos++; return new Token(TokenKind.Equal, "==", start);
            case '=': throw new PolicyLanguageException(start, "expected '==' to compare, found '=' (there is no assignment)");
            case '<' when next == '=': _pos++; return new Token(TokenKind.LessEqual, "<=", start);
            case '<': return new Token(TokenKind.Less, "<", start);
            case '>' when next == '=': _pos++; return new Token(TokenKind.GreaterEqual, ">=", start);
            case '>': return new Token(TokenKind.Greater, ">", start);
            case '&' when next == '&': _pos++; return new Token(TokenKind.And, "&&", start);
            case '|' when next == '|': _pos++; return new Token(TokenKind.Or, "||", start);
            case '&': throw new PolicyLanguageException(start, "expected '&&', found '&'");
            case '|': throw new PolicyLanguageException(start, "expected '||', found '|'");
            default:
                throw new PolicyLanguageException(start, $"unexpected character '{Printable(c)}'");
        }
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n') { _pos++; _line++; _lineStart = _pos; }
            else if (c is ' ' or '\t' or '\r') _pos++;
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                // A line comment, so templates can explain themselves inside the condition.
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else return;
        }
    }

    private Token Word(SourcePosition start)
    {
        var from = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
        var word = _text[from.._pos];
        if (word.Length > 64) throw new PolicyLanguageException(start, $"name '{word[..20]}…' is too long (at most 64 characters)");
        return word switch
        {
            "true" => new Token(TokenKind.True, word, start),
            "false" => new Token(TokenKind.False, word, start),
            "in" => new Token(TokenKind.In, word, start),
            _ => new Token(TokenKind.Identifier, word, start),
        };
    }

    private Token Number(SourcePosition start)
    {
        var from = _pos;
        var digits = ReadDigits(start);
        // A duration: digits followed by a unit, possibly several parts ("1h30m").
        if (_pos < _text.Length && char.IsAsciiLetter(_text[_pos])) return Duration(start, from, digits);
        var isDouble = false;
        if (_pos + 1 < _text.Length && _text[_pos] == '.' && char.IsAsciiDigit(_text[_pos + 1]))
        {
            isDouble = true;
            _pos++;
            ReadDigits(start);
        }
        if (_pos < _text.Length && _text[_pos] is 'e' or 'E')
            throw new PolicyLanguageException(Here, "exponents are not supported; write the number out (e.g. 1500.0)");
        var text = _text[from.._pos];
        if (isDouble)
            return new Token(TokenKind.Double, text, start, DoubleValue: double.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
        return new Token(TokenKind.Int, text, start, IntValue: long.Parse(text, CultureInfo.InvariantCulture));
    }

    private string ReadDigits(SourcePosition start)
    {
        var from = _pos;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
        if (_pos - from > MaxNumberDigits)
            throw new PolicyLanguageException(start, $"number literal is too large (at most {MaxNumberDigits} digits)");
        return _text[from.._pos];
    }

    private Token Duration(SourcePosition start, int from, string firstDigits)
    {
        var total = TimeSpan.Zero;
        var digits = firstDigits;
        while (true)
        {
            var unitStart = Here;
            var unitFrom = _pos;
            while (_pos < _text.Length && char.IsAsciiLetter(_text[_pos])) _pos++;
            var unit = _text[unitFrom.._pos];
            var n = long.Parse(digits, CultureInfo.InvariantCulture);
            double? part = unit switch
            {
                "ms" => n / 1000.0,
                "s" => n,
                "m" => n * 60.0,
                "h" => n * 3600.0,
                "d" => n * 86400.0,
                "w" => n * 7 * 86400.0,
                _ => null,
            };
            if (part is null)
                throw new PolicyLanguageException(unitStart, $"expected a duration unit (ms, s, m, h, d or w) after {digits}, found '{unit}'");
            if (part.Value > _limits.MaxDuration.TotalSeconds || total.TotalSeconds + part.Value > _limits.MaxDuration.TotalSeconds)
                throw new PolicyLanguageException(start, $"duration is too long (at most {_limits.MaxDuration.TotalDays:0} days)");
            total += TimeSpan.FromSeconds(part.Value);
            if (_pos >= _text.Length || !char.IsAsciiDigit(_text[_pos])) break;
            digits = ReadDigits(start);
            if (_pos >= _text.Length || !char.IsAsciiLetter(_text[_pos]))
                throw new PolicyLanguageException(Here, $"expected a duration unit (ms, s, m, h, d or w) after {digits}, found {DescribeHere()}");
        }
        if (_pos < _text.Length && (_text[_pos] == '_' || _text[_pos] == '.'))
            throw new PolicyLanguageException(Here, $"expected the end of the duration, found '{_text[_pos]}'");
        return new Token(TokenKind.Duration, _text[from.._pos], start, DurationValue: total);
    }

    private Token StringLiteral(SourcePosition start, char quote)
    {
        var from = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n')
                throw new PolicyLanguageException(start, $"string is not closed: expected {quote} before the end of the line");
            var c = _text[_pos++];
            if (c == quote) break;
            if (c == '\\')
            {
                if (_pos >= _text.Length) throw new PolicyLanguageException(start, "string is not closed");
                var e = _text[_pos++];
                sb.Append(e switch
                {
                    'n' => '\n',
                    't' => '\t',
                    '\\' => '\\',
                    '"' => '"',
                    '\'' => '\'',
                    _ => throw new PolicyLanguageException(new SourcePosition(_line, _pos - _lineStart - 1),
                        $"unknown escape '\\{Printable(e)}': use \\n, \\t, \\\\, \\\" or \\'"),
                });
            }
            else sb.Append(c);
            if (sb.Length > _limits.MaxStringLiteralLength)
                throw new PolicyLanguageException(start, $"string literal is too long (at most {_limits.MaxStringLiteralLength} characters)");
        }
        return new Token(TokenKind.String, _text[from.._pos], start, StringValue: sb.ToString());
    }

    private string DescribeHere() => _pos >= _text.Length ? "end of condition" : $"'{Printable(_text[_pos])}'";

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();
}
