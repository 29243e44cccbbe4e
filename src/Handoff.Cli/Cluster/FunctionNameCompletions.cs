using System.CommandLine;
using Handoff.Api.V1Alpha1;
using k8s;

namespace Handoff.Cli.Cluster;

/// <summary>Completes a FUNCTION argument with the names of the HandoffFunctions in the namespace the flags name (nothing when the cluster cannot be read within 2 s).</summary>
internal static class FunctionNameCompletions
{
    public static void AddTo(Argument argument, KubeOptions kube) =>
        argument.CompletionSources.Add(context =>
        {
            try
            {
                var target = kube.Resolve(context.ParseResult);
                using var client = target.CreateClient();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var list = client.CustomObjects.ListNamespacedCustomObjectAsync<HandoffFunctionList>(
                    HandoffApi.Group, HandoffApi.Version, target.Namespace, HandoffApi.FunctionPlural, cancellationToken: timeout.Token).GetAwaiter().GetResult();
                return list.Items.Select(f => f.Metadata.Name).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return [];
            }
        });
}
