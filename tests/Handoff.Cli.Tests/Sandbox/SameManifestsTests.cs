using Handoff.Api.V1Alpha1;
using Handoff.Sandbox;
using k8s;
using static Handoff.Cli.Tests.Planning.PlanHarness;

namespace Handoff.Cli.Tests.Sandbox;

/// <summary><c>handoff plan -f DIR</c> and <c>handoff sandbox --apply DIR</c> read the very same objects (one reader).</summary>
public sealed class SameManifestsTests
{
    [Fact]
    public async Task Plan_and_sandbox_apply_see_the_same_objects_in_a_directory()
    {
        using var dir = new TempManifests();
        dir.Write("nodes.yaml", "apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: same-n1}\nspec: {capacity: {cpu: \"4\"}}\n");
        // JSON, in a subdirectory walked before "nodes.yaml"'s neighbours that sort after it.
        dir.Write("fns/a.json", """{"apiVersion": "handoff.dev/v1alpha1", "kind": "HandoffFunction", "metadata": {"name": "same-json"}, "spec": {"template": {"spec": {"containers": [{"name": "main", "image": "busybox"}]}}}}""");
        // A List, as `kubectl get -o yaml` prints it, and a .yml file.
        dir.Write("fns/list.yml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: handoff.dev/v1alpha1\n  kind: HandoffFunction\n  metadata: {name: same-listed}\n  spec: {args: [same-json], template: {spec: {containers: [{name: main, image: busybox}]}}}\n");
        // Neither tool reads these.
        dir.Write("notes.txt", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ignored}\n");
        dir.Write("upper.YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ignored}\n");

        var plan = Run("-f", dir.Root, "-o", "json");
        Assert.True(plan.Exit == 0, plan.Error);
        var planned = ParseJson(plan.Output).GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["same-json", "same-listed"], planned);

        await using var run = SandboxRun.Start("--no-operator", "--apply", dir.Root);
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(run.KubeconfigPath));
        var ct = TestContext.Current.CancellationToken;
        var functions = await client.CustomObjects.ListClusterCustomObjectAsync<HandoffFunctionList>(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.FunctionPlural, cancellationToken: ct);
        Assert.Equal(planned, functions.Items.Select(f => f.Metadata.Name).Order(StringComparer.Ordinal));
        var nodes = await client.CustomObjects.ListClusterCustomObjectAsync<HandoffNodeList>(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: ct);
        Assert.Equal(["same-n1"], nodes.Items.Select(n => n.Metadata.Name));
        Assert.Equal(0, await run.StopAsync());
    }
}
