using System.Runtime.CompilerServices;
using Handoff.Operator.Controllers;
using k8s.Models;

namespace Handoff.Operator.Tests.Controllers;

public sealed class SharedInstancesTests
{
    private static V1PodTemplateSpec Template(string image, params string[] command) => new()
    {
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = image, Command = command }] },
    };

    [Fact]
    public void Equal_templates_are_kept_once_and_different_ones_apart()
    {
        var shared = new SharedInstances<V1PodTemplateSpec>(t => k8s.KubernetesJson.Serialize(t));
        var first = shared.Share(Template("busybox", "sh", "-c", "echo 1"));

        Assert.Same(first, shared.Share(Template("busybox", "sh", "-c", "echo 1")));
        Assert.NotSame(first, shared.Share(Template("busybox", "sh", "-c", "echo 2")));
        Assert.NotSame(first, shared.Share(Template("alpine", "sh", "-c", "echo 1")));
        Assert.Equal(3, shared.Count);
    }

    [Fact]
    public void What_keep_makes_is_kept_and_it_is_made_only_for_a_value_not_kept_yet()
    {
        var shared = new SharedInstances<V1PodTemplateSpec>(t => k8s.KubernetesJson.Serialize(t));
        var copies = 0;
        V1PodTemplateSpec Copy(V1PodTemplateSpec t)
        {
            copies++;
            return Template(t.Spec.Containers[0].Image);
        }

        var original = Template("busybox");
        var kept = shared.Share(original, Copy);
        Assert.NotSame(original, kept);
        Assert.Same(kept, shared.Share(Template("busybox"), Copy));
        Assert.Equal(1, copies);
    }

    [Fact]
    public void A_template_no_function_uses_is_collected_and_its_entry_swept()
    {
        var shared = new SharedInstances<V1PodTemplateSpec>(t => k8s.KubernetesJson.Serialize(t));
        ShareUnreferenced(shared, 1024);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // The next new template finds more entries than the sweep allows and drops the dead ones.
        var kept = shared.Share(Template("kept"));

        Assert.Equal(1, shared.Count);
        Assert.Same(kept, shared.Share(Template("kept")));
    }

    [Fact]
    public void Cached_functions_with_equal_templates_share_one()
    {
        var a = CacheTransforms.Function(Testing.Builders.TestObjects.Function("a").Container("busybox:1.36", "echo").Build());
        var b = CacheTransforms.Function(Testing.Builders.TestObjects.Function("b").Container("busybox:1.36", "echo").Build());

        Assert.Same(a.Spec.Template, b.Spec.Template);
    }

    [Fact]
    public void Cached_functions_with_equal_costs_share_one_map_whatever_its_order()
    {
        var a = CacheTransforms.Function(Testing.Builders.TestObjects.Function("a").Cost("cpu", "1").Cost("memory", "1Gi").Build());
        var b = CacheTransforms.Function(Testing.Builders.TestObjects.Function("b").Cost("memory", "1Gi").Cost("cpu", "1").Build());
        var c = CacheTransforms.Function(Testing.Builders.TestObjects.Function("c").Cost("cpu", "2").Cost("memory", "1Gi").Build());

        Assert.Same(a.Spec.Cost, b.Spec.Cost);
        Assert.NotSame(a.Spec.Cost, c.Spec.Cost);
        Assert.Equal("2", c.Spec.Cost!["cpu"]);
    }

    [Fact]
    public void A_value_shared_by_its_encoding_is_decoded_once_and_an_instance_kept_is_shared_again_without_its_text()
    {
        var texts = 0;
        var shared = new SharedInstances<V1PodTemplateSpec>(t =>
        {
            texts++;
            return k8s.KubernetesJson.Serialize(t);
        });
        var decodes = 0;
        V1PodTemplateSpec Decode(string image)
        {
            decodes++;
            return Template(image);
        }

        var first = shared.ShareEncoded("{\"image\":\"busybox\"}"u8, "busybox", Decode);
        Assert.Same(first, shared.ShareEncoded("{\"image\":\"busybox\"}"u8, "busybox", Decode));
        Assert.Equal(1, decodes);
        Assert.NotSame(first, shared.ShareEncoded("{\"image\":\"alpine\"}"u8, "alpine", Decode));
        Assert.Equal(2, decodes);

        Assert.True(shared.IsKept(first));
        Assert.Same(first, shared.Share(first));
        Assert.Equal(0, texts);
        Assert.False(shared.IsKept(Template("busybox")));
    }

    [Fact]
    public void A_value_that_does_not_decode_keeps_nothing_and_the_next_try_decodes_again()
    {
        var shared = new SharedInstances<V1PodTemplateSpec>(t => k8s.KubernetesJson.Serialize(t));

        Assert.Throws<FormatException>(() => shared.ShareEncoded("bad"u8, 0, _ => throw new FormatException("bad")));
        Assert.Equal(0, shared.Count);
        var kept = shared.ShareEncoded("bad"u8, 0, _ => Template("fixed"));
        Assert.Same(kept, shared.ShareEncoded("bad"u8, 0, _ => Template("other")));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ShareUnreferenced(SharedInstances<V1PodTemplateSpec> shared, int count)
    {
        for (var i = 0; i < count - 1; i++)
        {
            shared.Share(Template("image-" + i));
        }
    }
}
