using System.CommandLine;
using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Cluster;
using Handoff.Cli.Graph;
using Handoff.Cli.Rendering;
using Handoff.Core;
using k8s;
using k8s.Autorest;
using Spectre.Console;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff graph [FUNCTION | -l SELECTOR]</c>: the DAG of HandoffFunctions as a tree, DOT, Mermaid or a picture.</summary>
internal static class GraphCommand
{
    public static Command Create()
    {
        var function = new Argument<string?>("FUNCTION")
        {
            Description = "Show only the DAG this function belongs to (what it depends on and what depends on it).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var selector = new Option<string?>("--selector", "-l")
        {
            Description = "Only functions whose labels match this label selector (e.g. app=etl,stage!=test).",
        };
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "Read the functions from manifests (files, directories, - for standard input) instead of the cluster.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "tree (the terminal, phases in colour), dot (Graphviz), mermaid, svg or png.",
            DefaultValueFactory = _ => "tree",
        };
        output.AcceptOnlyFromAmong("tree", "dot", "mermaid", "svg", "png");
        var file = new Option<string?>("--file")
        {
            Description = "With -o svg or png: write the picture to this file (default: standard output).",
        };
        var kube = new KubeOptions(allNamespaces: true);
        var command = new Command("graph", "Show the DAG of HandoffFunctions (args → dependents) as a tree with phases in colour, or as Graphviz DOT, Mermaid, SVG or PNG.")
        {
            function, selector, files, output, file,
        };
        kube.AddTo(command);
        FunctionNameCompletions.AddTo(function, kube);
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            List<HandoffFunction> functions;
            string scope;
            string? ns;
            var paths = parseResult.GetValue(files) ?? [];
            if (paths.Length > 0 && parseResult.GetValue(selector) is { } localSelector)
            {
                await error.WriteLineAsync($"error: -l {localSelector} selects in the cluster; with -f, pass only the files you want");
                return 1;
            }

            try
            {
                if (paths.Length > 0)
                {
                    (functions, scope) = (ReadFiles(paths), string.Join(", ", paths));
                    ns = parseResult.GetValue(kube.Namespace);
                }
                else
                {
                    var target = kube.Resolve(parseResult);
                    using var client = target.CreateClient();
                    functions = await ListAsync(client, target.ListNamespace, parseResult.GetValue(selector), ct);
                    ns = target.ListNamespace;
                    scope = target.AllNamespaces ? "all namespaces" : "namespace " + target.Namespace;
                }
            }
            catch (Exception e) when (e is ClusterException or ManifestException)
            {
                await error.WriteLineAsync("error: " + e.Message);
                return 1;
            }

            var dag = FunctionDag.Build(functions);
            var title = $"HandoffFunctions in {scope}";
            if (parseResult.GetValue(function) is { } name)
            {
                var id = name.Contains('/', StringComparison.Ordinal) ? name : ObjectKeys.Of(ns ?? "default", name);
                if (!dag.Nodes.Any(n => n.Id == id && !n.Missing))
                {
                    await error.WriteLineAsync($"error: HandoffFunction {id} not found{(ns is null ? " (with -A, name it namespace/name)" : "")}");
                    return 1;
                }

                dag = dag.ComponentOf(id);
                title = $"the DAG of {id}";
            }

            var stdout = parseResult.InvocationConfiguration.Output;
            switch (parseResult.GetValue(output))
            {
                case "dot":
                    await stdout.WriteAsync(DagText.Dot(dag));
                    return 0;
                case "mermaid":
                    await stdout.WriteAsync(DagText.Mermaid(dag));
                    return 0;
                case "svg" or "png":
                    return await PictureOutput.WriteAsync(DagScene.Build(dag, title), parseResult.GetValue(output)!, parseResult.GetValue(file), stdout, error, ct);
                default:
                    var console = Terminal.Create(stdout);
                    if (dag.Nodes.Count == 0)
                    {
                        console.WriteLine($"no HandoffFunctions in {scope}");
                    }
                    else
                    {
                        console.Write(DagText.Tree(dag, title));
                    }

                    return 0;
            }
        });
        return command;
    }

    private static List<HandoffFunction> ReadFiles(string[] paths)
    {
        var functions = new List<HandoffFunction>();
        foreach (var file in ManifestPaths.Expand(paths))
        {
            functions.AddRange(ManifestReader.Read(file, CommandInput.StandardInput).Select(ManifestReader.ToTyped).Select(d => d.Object).OfType<HandoffFunction>());
        }

        return functions;
    }

    private static async Task<List<HandoffFunction>> ListAsync(IKubernetes client, string? @namespace, string? selector, CancellationToken ct)
    {
        try
        {
            var list = @namespace is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync<HandoffFunctionList>(HandoffApi.Group, HandoffApi.Version, HandoffApi.FunctionPlural, labelSelector: selector, cancellationToken: ct)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync<HandoffFunctionList>(HandoffApi.Group, HandoffApi.Version, @namespace, HandoffApi.FunctionPlural, labelSelector: selector, cancellationToken: ct);
            return [.. list.Items];
        }
        catch (HttpOperationException e)
        {
            throw new ClusterException($"cannot list HandoffFunctions: {(int)e.Response.StatusCode} {e.Response.StatusCode}: {e.Response.Content}", e);
        }
        catch (HttpRequestException e)
        {
            throw new ClusterException($"cannot reach the API server at {client.BaseUri}: {e.Message}", e);
        }
    }
}
