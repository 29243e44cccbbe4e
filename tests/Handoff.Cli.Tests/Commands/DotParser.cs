using System.Text;

namespace Handoff.Cli.Tests.Commands;

/// <summary>
/// A strict parser for the part of the Graphviz DOT language (graphviz.org/doc/info/lang.html) a graph uses: a
/// (di)graph of node, edge and attribute statements with quoted or plain IDs. Anything else is a parse error, so a
/// test can say the DOT the CLI writes is well formed even where Graphviz is not installed.
/// </summary>
internal sealed class DotParser
{
    private readonly List<string> _tokens;
    private int _at;

    private DotParser(string text) => _tokens = Tokenize(text);

    public sealed record Graph(bool Directed, Dictionary<string, Dictionary<string, string>> Nodes, List<(string From, string To)> Edges);

    public static Graph Parse(string text) => new DotParser(text).ParseGraph();

    private Graph ParseGraph()
    {
        if (Peek() == "strict")
        {
            _at++;
        }

        var kind = Next();
        if (kind is not ("graph" or "digraph"))
        {
            throw new FormatException($"expected graph or digraph, got {kind}");
        }

        if (Peek() != "{")
        {
            Next();
        }

        Expect("{");
        var graph = new Graph(kind == "digraph", new(StringComparer.Ordinal), []);
        while (Peek() != "}")
        {
            Statement(graph);
            if (Peek() == ";")
            {
                _at++;
            }
        }

        Expect("}");
        if (_at != _tokens.Count)
        {
            throw new FormatException($"text after the graph: {_tokens[_at]}");
        }

        return graph;
    }

    private void Statement(Graph graph)
    {
        var first = Next();
        if (first is "graph" or "node" or "edge")
        {
            Attributes();
            return;
        }

        if (Peek() == "=")
        {
            _at++;
            Id();
            return;
        }

        var id = Unquote(first);
        if (Peek() is "->" or "--")
        {
            var from = id;
            while (Peek() is "->" or "--")
            {
                if ((Next() == "->") != graph.Directed)
                {
                    throw new FormatException("edge operator does not match the graph kind");
                }

                var to = Id();
                graph.Edges.Add((from, to));
                from = to;
            }

            if (Peek() == "[")
            {
                Attributes();
            }

            return;
        }

        var attributes = Peek() == "[" ? Attributes() : [];
        graph.Nodes[id] = attributes;
    }

    private Dictionary<string, string> Attributes()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Peek() == "[")
        {
            _at++;
            while (Peek() != "]")
            {
                var key = Id();
                Expect("=");
                result[key] = Id();
                if (Peek() is "," or ";")
                {
                    _at++;
                }
            }

            Expect("]");
        }

        return result;
    }

    private string Id()
    {
        var token = Next();
        if (token is "{" or "}" or "[" or "]" or "=" or ";" or "," or "->" or "--")
        {
            throw new FormatException($"expected an ID, got {token}");
        }

        return Unquote(token);
    }

    private string? Peek() => _at < _tokens.Count ? _tokens[_at] : null;

    private string Next() => _at < _tokens.Count ? _tokens[_at++] : throw new FormatException("unexpected end");

    private void Expect(string token)
    {
        if (Next() != token)
        {
            throw new FormatException($"expected {token} at token {_at}");
        }
    }

    private static string Unquote(string token) =>
        token.StartsWith('"') ? token[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : token;

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '"')
            {
                var sb = new StringBuilder("\"");
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        sb.Append(text[i]).Append(text[i + 1]);
                        i += 2;
                        continue;
                    }

                    sb.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    throw new FormatException("unterminated string");
                }

                tokens.Add(sb.Append('"').ToString());
                i++;
            }
            else if (c is '{' or '}' or '[' or ']' or '=' or ';' or ',')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '-' && i + 1 < text.Length && text[i + 1] is '>' or '-')
            {
                tokens.Add(text.Substring(i, 2));
                i += 2;
            }
            else if (char.IsLetterOrDigit(c) || c is '_' or '.' or '-')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }

                if (i == start)
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else
            {
                throw new FormatException($"unexpected character '{c}' at {i}");
            }
        }

        return tokens;
    }
}
