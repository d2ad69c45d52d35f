using Altimeter.Auth.Fixtures;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// The bad-input corpus (tests/fixtures/bad-input), once, in the fastest layer: every file gives its
/// own error id and a message that names the file, or loads (BOM, CRLF). What each file must give is
/// in its index, cases.json; tests/fixtures/BadInputCorpus.cs checks a file against it.
/// </summary>
public sealed class BadInputCorpusTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "fixtures", "bad-input");

    // By file name: xunit shows (and counts) each case of a theory whose data it can serialize.
    public static TheoryData<string> Files() => new(BadInputCorpus.Cases(Corpus).Select(c => c.File));

    [Theory]
    [MemberData(nameof(Files))]
    public void A_corpus_file_gives_its_error_id_and_a_message_naming_it_or_loads(string file) =>
        Assert.Null(BadInputCorpus.Check(Corpus, BadInputCorpus.Cases(Corpus).Single(c => c.File == file)));

    [Fact]
    public void The_index_lists_every_file_of_the_corpus_once_and_there_are_at_least_40()
    {
        var listed = BadInputCorpus.Cases(Corpus).Select(c => c.File).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(BadInputCorpus.Files(Corpus), listed);
        Assert.True(listed.Count >= 40, $"{listed.Count} files");
    }
}
