using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;
using Handoff.Testing;
using k8s.Models;

namespace Handoff.Api.Tests.Manifests;

public sealed class ManifestReaderTests
{
    private const string Function = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata:
          name: transform
        spec:
          cost:
            cpu: "2"
            nvidia.com/gpu: "1"
          args: [source, other]
          maxRetries: 5
          template:
            spec:
              containers:
              - name: main
                image: busybox
        """;

    [Fact]
    public void Objects_know_their_source_kind_name_and_the_line_of_every_field()
    {
        var obj = Assert.Single(ManifestReader.Read("# comment\n\n" + Function, "f.yaml"));
        Assert.Equal(("f.yaml", "handoff.dev/v1alpha1", "HandoffFunction", "transform", (string?)null), (obj.Source, obj.ApiVersion, obj.Kind, obj.Name, obj.Namespace));
        Assert.Equal("f.yaml:3", obj.Location.ToString());
        Assert.Equal("HandoffFunction default/transform", obj.Describe());
        Assert.Equal(9, obj.Lines.Of("spec.cost.cpu"));
        Assert.Equal(10, obj.Lines.Of("spec.cost.nvidia.com/gpu"));
        Assert.Equal(11, obj.Lines.Of("spec.args[1]"));
        Assert.Equal(12, obj.Lines.Of("spec.maxRetries"));
        Assert.Equal(16, obj.Lines.Of("spec.template.spec.containers[0].name"));
        Assert.Equal(17, obj.Lines.Of("spec.template.spec.containers[0].image"));
        Assert.Equal(8, obj.Lines.Of("spec.cost.memory"));
        Assert.Equal(7, obj.Lines.Of("spec.nothing.at.all"));
        Assert.Equal("f.yaml:12", obj.LocationOf("spec.maxRetries").ToString());
    }

    [Fact]
    public void Json_objects_know_their_lines_too()
    {
        var objects = ManifestReader.Read("""
            {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": "a"}}
            {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {
               "name": "b"}}
            """, "n.json");
        Assert.Equal([1, 3], objects.Select(o => o.Location.Line));
        Assert.Equal(5, objects[1].Lines.Of("metadata.name"));
    }

    [Fact]
    public void List_items_are_objects_with_their_own_lines_and_inherited_kind()
    {
        var objects = ManifestReader.Read("""
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffNodeList
            metadata: {}
            items:
            - metadata: {name: a}
              spec: {capacity: {cpu: "1"}}
            - apiVersion: v1
              kind: Namespace
              metadata:
                name: team
            """, "l.yaml");
        Assert.Equal([("HandoffNode", "a", 5), ("Namespace", "team", 7)], objects.Select(o => (o.Kind, o.Name!, o.Location.Line)));
        Assert.Equal(6, objects[0].Lines.Of("spec.capacity.cpu"));
        Assert.Equal(10, objects[1].Lines.Of("metadata.name"));
        Assert.Equal("handoff.dev/v1alpha1", objects[0].ApiVersion);
    }

    [Fact]
    public void Malformed_yaml_names_the_line()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestReader.Read(Function + "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x\nspec: [\n", "bad.yaml"));
        Assert.StartsWith("bad.yaml:", error.Message, StringComparison.Ordinal);
        Assert.Contains("malformed YAML", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Location!.Value.Line, 19, 21);
    }

    [Theory]
    [InlineData("metadata: {name: c}\n", "x.yaml:1: not a Kubernetes object: apiVersion and kind are required (strings)")]
    [InlineData("apiVersion: v1\nkind: 5\n", "x.yaml:1: not a Kubernetes object: apiVersion and kind are required (strings)")]
    [InlineData("- a\n", "x.yaml:1: not a Kubernetes object: a manifest document must be a mapping with apiVersion and kind, not a list")]
    [InlineData("apiVersion: v1\nkind: List\nitems: 3\n", "x.yaml:3: items must be a list, not a number")]
    [InlineData("apiVersion: v1\nkind: List\nitems:\n- ~\n", "x.yaml:4: a list item is null")]
    [InlineData("a: 1\n--- oops\n", "x.yaml:2: invalid YAML document separator \"--- oops\": only spaces and a comment may follow '---' (kubectl refuses it too)")]
    public void Documents_that_are_not_objects_are_errors(string text, string message) =>
        Assert.Equal(message, Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "x.yaml")).Message);

    [Fact]
    public void Typed_read_gives_the_models()
    {
        var documents = ManifestReader.ReadTyped(Function + """

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: team}
            spec:
              containers: [{name: main, image: busybox, resources: {requests: {cpu: 1, memory: 1Gi}}, ports: [{containerPort: 80}]}]
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: j}
            spec: {template: {spec: {containers: [{name: main, image: busybox}], restartPolicy: Never}}}
            ---
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: high}
            value: 1000
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: worker-1}
            status: {allocatable: {cpu: "8", pods: "110"}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: team}
            """, "all.yaml");
        var function = Assert.IsType<HandoffFunction>(documents[0].Object);
        Assert.Equal(5, function.Spec.MaxRetries);
        Assert.Equal("busybox", function.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(new ResourceQuantity("1"), Assert.IsType<V1Pod>(documents[1].Object).Spec.Containers[0].Resources.Requests["cpu"]);
        Assert.Equal("Never", Assert.IsType<V1Job>(documents[2].Object).Spec.Template.Spec.RestartPolicy);
        Assert.Equal(1000, Assert.IsType<V1PriorityClass>(documents[3].Object).Value);
        Assert.Equal(new ResourceQuantity("110"), Assert.IsType<V1Node>(documents[4].Object).Status.Allocatable["pods"]);
        Assert.Equal("team", Assert.IsType<V1Namespace>(documents[5].Object).Metadata.Name);
        Assert.Equal("all.yaml:17", documents[1].Location.ToString());
    }

    [Fact]
    public void Typed_read_refuses_other_kinds_naming_file_line_and_kind()
    {
        var obj = Assert.Single(ManifestReader.Read("# a config map\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "c.yaml"));
        var error = Assert.Throws<ManifestException>(() => ManifestReader.ToTyped(obj));
        Assert.Equal(
            "c.yaml:2: unknown kind \"ConfigMap\" (apiVersion \"v1\"): expected one of handoff.dev/v1alpha1 HandoffNode, handoff.dev/v1alpha1 HandoffFunction, "
            + "handoff.dev/v1alpha1 HandoffQueue, v1 Node, v1 Pod, v1 Namespace, batch/v1 Job, scheduling.k8s.io/v1 PriorityClass",
            error.Message);
    }

    [Theory]
    [InlineData("spec:\n  capacty: {cpu: \"4\"}\n", "n.yaml:5: HandoffNode n1: unknown field \"spec.capacty\"")]
    [InlineData("spec:\n  capacity: {cpu: \"4\"}\n  template:\n    spec: {containers: [{name: a, imagee: b}]}\n", "n.yaml:6: HandoffNode n1: unknown field \"spec.template\"")]
    [InlineData("spec:\n  capacity: {cpu: \"4\"}\n  unschedulable: \"yes\"\n", "n.yaml:6: HandoffNode n1: spec.unschedulable: Invalid value: \"yes\": must be a boolean")]
    [InlineData("status:\n  functions: 3000000000\n", "n.yaml:5: HandoffNode n1: status.functions: Invalid value: 3000000000: must be a 32-bit integer (from -2147483648 to 2147483647)")]
    public void Typed_read_is_strict_and_names_the_fields_line(string body, string message)
    {
        var obj = Assert.Single(ManifestReader.Read("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\n" + body, "n.yaml"));
        Assert.Equal(message, Assert.Throws<ManifestException>(() => ManifestReader.ToTyped(obj)).Message);
    }

    [Fact]
    public void Unknown_field_inside_a_pod_template_names_the_field()
    {
        var obj = Assert.Single(ManifestReader.Read(Function.Replace("image: busybox", "imagee: busybox", StringComparison.Ordinal), "f.yaml"));
        Assert.Equal("f.yaml:15: HandoffFunction default/transform: unknown field \"spec.template.spec.containers[0].imagee\"",
            Assert.Throws<ManifestException>(() => ManifestReader.ToTyped(obj)).Message);
    }

    [Fact]
    public void Every_example_reads_and_deserializes()
    {
        var files = ManifestPaths.Expand([RepoPaths.Examples]);
        Assert.NotEmpty(files);
        var documents = files.SelectMany(f => ManifestReader.Read(f, TextReader.Null)).Select(ManifestReader.ToTyped).ToList();
        Assert.Contains(documents, d => d.Object is HandoffNode);
        Assert.Contains(documents, d => d.Object is HandoffFunction);
    }

    [Fact]
    public void Standard_input_is_read_as_stdin()
    {
        using var stdin = new StringReader("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
        var obj = Assert.Single(ManifestReader.Read(new ManifestFile(ManifestPaths.StandardInput), stdin));
        Assert.Equal("<stdin>:1", obj.Location.ToString());
    }
}
