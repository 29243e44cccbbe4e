namespace Handoff.Api.Crds.Validation.Cel;

internal abstract record CelNode;

internal sealed record CelLiteral(object? Value) : CelNode;

internal sealed record CelIdent(string Name) : CelNode;

/// <summary><c>operand.field</c>; with <paramref name="TestOnly"/> it is <c>has(operand.field)</c>.</summary>
internal sealed record CelSelect(CelNode Operand, string Field, bool TestOnly) : CelNode;

internal sealed record CelCall(CelNode? Target, string Function, IReadOnlyList<CelNode> Args) : CelNode;

/// <summary>The comprehension macros <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>filter</c>, <c>map</c>.</summary>
internal sealed record CelMacro(CelNode Range, string Name, string Variable, CelNode Body, CelNode? Transform) : CelNode;

internal sealed record CelIndex(CelNode Operand, CelNode Index) : CelNode;

internal sealed record CelList(IReadOnlyList<CelNode> Items) : CelNode;

internal sealed record CelMap(IReadOnlyList<(CelNode Key, CelNode Value)> Entries) : CelNode;

internal sealed record CelUnary(string Operator, CelNode Operand) : CelNode;

internal sealed record CelBinary(string Operator, CelNode Left, CelNode Right) : CelNode;

internal sealed record CelConditional(CelNode Condition, CelNode Then, CelNode Else) : CelNode;

/// <summary>A recursive-descent parser of the CEL grammar (github.com/google/cel-spec), macros included.</summary>
internal sealed class CelParser
{
    private static readonly HashSet<string> s_macros = ["all", "exists", "exists_one", "filter", "map"];
    private readonly List<CelToken> _tokens;
    private int _position;

    private CelParser(string text) => _tokens = CelLexer.Tokenize(text);

    public static CelNode Parse(string text)
    {
        var parser = new CelParser(text);
        var node = parser.Expression();
        if (parser.Peek.Kind != CelTokenKind.End)
        {
            throw new CelException($"Syntax error: unexpected '{parser.Peek.Text}' at position {parser.Peek.Position}");
        }

        return node;
    }

    private CelToken Peek => _tokens[_position];

    private bool Accept(string op)
    {
        if (Peek.Kind == CelTokenKind.Operator && Peek.Text == op)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(string op)
    {
        if (!Accept(op))
        {
            throw new CelException($"Syntax error: expected '{op}' at position {Peek.Position}, found '{Peek.Text}'");
        }
    }

    private CelNode Expression()
    {
        var condition = Or();
        if (!Accept("?"))
        {
            return condition;
        }

        var then = Or();
        Expect(":");
        return new CelConditional(condition, then, Expression());
    }

    private CelNode Or()
    {
        var left = And();
        while (Accept("||"))
        {
            left = new CelBinary("||", left, And());
        }

        return left;
    }

    private CelNode And()
    {
        var left = Relation();
        while (Accept("&&"))
        {
            left = new CelBinary("&&", left, Relation());
        }

        return left;
    }

    private CelNode Relation()
    {
        var left = Addition();
        while (true)
        {
            string? op = null;
            foreach (var candidate in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (Accept(candidate))
                {
                    op = candidate;
                    break;
                }
            }

            if (op is null && Peek is { Kind: CelTokenKind.Identifier, Text: "in" })
            {
                _position++;
                op = "in";
            }

            if (op is null)
            {
                return left;
            }

            left = new CelBinary(op, left, Addition());
        }
    }

    private CelNode Addition()
    {
        var left = Multiplication();
        while (true)
        {
            if (Accept("+"))
            {
                left = new CelBinary("+", left, Multiplication());
            }
            else if (Accept("-"))
            {
                left = new CelBinary("-", left, Multiplication());
            }
            else
            {
                return left;
            }
        }
    }

    private CelNode Multiplication()
    {
        var left = Unary();
        while (true)
        {
            var op = Accept("*") ? "*" : Accept("/") ? "/" : Accept("%") ? "%" : null;
            if (op is null)
            {
                return left;
            }

            left = new CelBinary(op, left, Unary());
        }
    }

    private CelNode Unary()
    {
        if (Accept("!"))
        {
            return new CelUnary("!", Unary());
        }

        if (Accept("-"))
        {
            // A negative literal is a literal (so that -9223372036854775808 fits).
            return Peek.Kind is CelTokenKind.Int or CelTokenKind.Double && _tokens[_position + 1] is not { Kind: CelTokenKind.Operator, Text: "." or "[" }
                ? Negate(Member())
                : new CelUnary("-", Unary());
        }

        return Member();
    }

    private static CelNode Negate(CelNode node) => node switch
    {
        CelLiteral { Value: long l } => new CelLiteral(-l),
        CelLiteral { Value: double d } => new CelLiteral(-d),
        _ => new CelUnary("-", node),
    };

    private CelNode Member()
    {
        var node = Primary();
        while (true)
        {
            if (Accept("."))
            {
                var name = Identifier();
                if (Accept("("))
                {
                    if (s_macros.Contains(name) && Peek.Kind == CelTokenKind.Identifier && _tokens[_position + 1] is { Kind: CelTokenKind.Operator, Text: "," })
                    {
                        var variable = Identifier();
                        Expect(",");
                        var first = Expression();
                        var second = name == "map" && Accept(",") ? Expression() : null;
                        Expect(")");

                        // map(x, t) transforms every element; map(x, p, t) those for which p holds.
                        node = name != "map" ? new CelMacro(node, name, variable, first, null)
                            : second is null ? new CelMacro(node, name, variable, new CelLiteral(true), first)
                            : new CelMacro(node, name, variable, first, second);
                        continue;
                    }

                    node = new CelCall(node, name, Arguments(")"));
                }
                else
                {
                    node = new CelSelect(node, name, TestOnly: false);
                }
            }
            else if (Accept("["))
            {
                var index = Expression();
                Expect("]");
                node = new CelIndex(node, index);
            }
            else
            {
                return node;
            }
        }
    }

    private CelNode Primary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case CelTokenKind.Int or CelTokenKind.Double or CelTokenKind.String:
                _position++;
                return new CelLiteral(token.Value);
            case CelTokenKind.Uint:
                _position++;
                return new CelLiteral((ulong)(long)token.Value!);
            case CelTokenKind.Identifier:
                _position++;
                switch (token.Text)
                {
                    case "true":
                        return new CelLiteral(true);
                    case "false":
                        return new CelLiteral(false);
                    case "null":
                        return new CelLiteral(null);
                }

                if (!Accept("("))
                {
                    return new CelIdent(token.Text);
                }

                if (token.Text == "has")
                {
                    var argument = Expression();
                    Expect(")");
                    return argument is CelSelect select
                        ? select with { TestOnly = true }
                        : throw new CelException("Syntax error: invalid argument to has() macro");
                }

                return new CelCall(null, token.Text, Arguments(")"));
            case CelTokenKind.Operator when Accept("("):
                var inner = Expression();
                Expect(")");
                return inner;
            case CelTokenKind.Operator when Accept("["):
                return new CelList(Arguments("]"));
            case CelTokenKind.Operator when Accept("{"):
                var entries = new List<(CelNode, CelNode)>();
                while (!Accept("}"))
                {
                    var key = Expression();
                    Expect(":");
                    entries.Add((key, Expression()));
                    if (!Accept(","))
                    {
                        Expect("}");
                        break;
                    }
                }

                return new CelMap(entries);
            default:
                throw new CelException($"Syntax error: unexpected '{token.Text}' at position {token.Position}");
        }
    }

    private List<CelNode> Arguments(string close)
    {
        var args = new List<CelNode>();
        while (!Accept(close))
        {
            args.Add(Expression());
            if (!Accept(","))
            {
                Expect(close);
                break;
            }
        }

        return args;
    }

    private string Identifier()
    {
        var token = Peek;
        if (token.Kind != CelTokenKind.Identifier)
        {
            throw new CelException($"Syntax error: expected an identifier at position {token.Position}, found '{token.Text}'");
        }

        _position++;
        return token.Text;
    }
}
