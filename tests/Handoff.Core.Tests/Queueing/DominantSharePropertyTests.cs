using System.Numerics;
using CsCheck;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Queueing;

public sealed class DominantSharePropertyTests
{
    private static readonly string[] Resources = ["cpu", "memory", "nvidia.com/gpu"];

    // Small amounts most of the time (so shares tie), huge ones sometimes (so products exceed 128 bits).
    private static readonly Gen<long> GenAmount = Gen.Select(Gen.Int[0, 3], Gen.Long[0, 8], Gen.Long[0, long.MaxValue / 2])
        .Select((dice, small, huge) => dice == 0 ? huge : small * 1000);

    private static readonly Gen<ResourceList> GenList =
        Gen.Select(GenAmount, Gen.Bool).Array[Resources.Length].Select(entries =>
            ResourceList.FromMilli(entries.Select((e, r) => (e, r)).Where(x => x.e.Item2).Select(x => KeyValuePair.Create(Resources[x.r], x.e.Item1))));

    private static readonly Gen<long> GenWeight = Gen.Select(Gen.Bool, Gen.Long[1, 4], Gen.Long[1, 1_000_000_000]).Select((small, s, any) => small ? s * 500 : any);

    private static readonly Gen<(DominantShare Share, (BigInteger N, BigInteger D) Reference)> GenShare =
        Gen.Select(GenList, GenList, GenList, GenWeight).Select((usage, quota, capacity, weight) =>
            (DominantShare.Of(usage, quota, capacity, weight), Reference(usage, quota, capacity, weight)));

    // The definition, with arbitrary precision: max over used resources of usage / measure, divided by the weight.
    // Infinity is (1, 0), zero (0, 1).
    private static (BigInteger N, BigInteger D) Reference(ResourceList usage, ResourceList quota, ResourceList capacity, long weightMilli)
    {
        (BigInteger N, BigInteger D) best = (0, 1);
        foreach (var (name, used) in usage)
        {
            if (used == 0)
            {
                continue;
            }

            var measure = quota.Contains(name) ? quota[name] : capacity[name];
            (BigInteger N, BigInteger D) share = measure == 0 ? (1, 0) : ((BigInteger)used * 1000, (BigInteger)measure * weightMilli);
            if (Compare(share, best) > 0)
            {
                best = share;
            }
        }

        return best;
    }

    private static int Compare((BigInteger N, BigInteger D) a, (BigInteger N, BigInteger D) b) =>
        a.D.IsZero || b.D.IsZero ? a.D.IsZero.CompareTo(b.D.IsZero) : (a.N * b.D).CompareTo(b.N * a.D);

    [Fact]
    public void Comparisons_agree_with_the_exact_definition() =>
        Gen.Select(GenShare, GenShare).Sample((a, b) =>
        {
            var expected = Compare(a.Reference, b.Reference);
            Assert.Equal(expected, Math.Sign(a.Share.CompareTo(b.Share)));
            Assert.Equal(-expected, Math.Sign(b.Share.CompareTo(a.Share)));
            Assert.Equal(expected == 0, a.Share.Equals(b.Share));
            Assert.Equal(expected == 0, a.Share == b.Share);
            if (expected == 0)
            {
                Assert.Equal(a.Share.GetHashCode(), b.Share.GetHashCode());
            }
        }, iter: 5000);

    [Fact]
    public void Comparisons_are_a_total_order() =>
        GenShare.Array[3].Sample(shares =>
        {
            var (a, b, c) = (shares[0].Share, shares[1].Share, shares[2].Share);
            Assert.Equal(0, a.CompareTo(a));
            if (a <= b && b <= c)
            {
                Assert.True(a <= c);
            }

            if (a.CompareTo(b) == 0 && b.CompareTo(c) == 0)
            {
                Assert.Equal(a, c);
            }

            var sorted = shares.Select(s => s.Share).Order().ToList();
            Assert.True(sorted[0] <= sorted[1] && sorted[1] <= sorted[2]);
        }, iter: 3000);

    [Fact]
    public void The_dominant_resource_is_one_whose_share_is_the_maximum() =>
        Gen.Select(GenList, GenList, GenList, GenWeight).Sample((usage, quota, capacity, weight) =>
        {
            var share = DominantShare.Of(usage, quota, capacity, weight);
            if (share.IsZero)
            {
                Assert.All(usage, e => Assert.Equal(0, e.Value));
                return;
            }

            var alone = ResourceList.FromMilli([KeyValuePair.Create(share.Resource!, usage[share.Resource!])]);
            Assert.Equal(share, DominantShare.Of(alone, quota, capacity, weight));
        }, iter: 2000);
}
