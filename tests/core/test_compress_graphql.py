import re
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.code.graphql import parse_sdl
from agent_baton.compress.guarantees import violations

# The first 300 lines of graphql/swapi-graphql's schema.graphql (BSD-3-Clause): a schema
# whose every type and field carries a """description""".
SWAPI = (Path(__file__).parent / "data" / "swapi_schema_head.graphql").read_text()
HEAD = re.compile(r"^(?:type|input|enum|interface|union|scalar|schema)\b")

# octokit/graphql-schema (MIT), cut as a tool prints a slice: it opens inside a description.
OCTOKIT_SLICE = '''"""
type RepositoryCodeowners {
  """
  Any problems that were encountered while parsing the `CODEOWNERS` file.
  """
  errors: [RepositoryCodeownersError!]!
}

"""
An error in a `CODEOWNERS` file.
"""
type RepositoryCodeownersError {
  """
  The column number where the error occurs.
  """
  column: Int!

  """
  A short string describing the type of error.
  """
  kind: String!

  """
  The line number where the error occurs.
  """
  line: Int!

  """
  A complete description of the error, combining information from other fields.
  """
  message: String!
}

"""
The connection type for User.
"""
type RepositoryCollaboratorConnection {
  """
  A list of edges.
  """
  edges: [RepositoryCollaboratorEdge]

  """
  Identifies the total count of items in the connection.
  """
  totalCount: Int!
}

"""
The affiliation type between collaborator and repository.
"""
enum RepositoryContributionType {
  """
  Created a commit
  """
  COMMIT

  """
  Created an issue
  """
  ISSUE
}

interface RepositoryDiscussionAuthor {
  """
  Discussions this user has started.
  """
  repositoryDiscussions(
    """
    Returns the elements in the list that come after the specified cursor.
    """
    after: String

    """
    Filter discussions to only those that have been answered or not.
    """
    answered: Boolean = null

    """
    Returns the first _n_ elements from the list.
    """
    first: Int
  ): DiscussionConnection!
}
'''


def heads(text: str) -> list[str]:
    return [line for line in text.splitlines() if HEAD.match(line)]


def test_every_definition_head_and_field_stays_and_descriptions_go():
    # Before, the line fold took the repeated """A connection to a list of items.""" lines
    # for the template and dropped 6 of 16 type heads (type Film implements Node among them).
    result = compress(SWAPI)
    assert result.transforms == ["code:graphql"]
    kept = result.text.splitlines()
    assert heads(SWAPI) and set(heads(SWAPI)) <= set(kept)
    assert "type Film implements Node {" in kept
    assert "  episodeID: Int" in kept
    assert '  """The title of this film."""' not in kept
    assert not violations(SWAPI, result.text)
    assert result.compressed_tokens < 0.5 * result.original_tokens


def test_a_slice_cut_inside_a_description_is_still_a_schema():
    result = compress(OCTOKIT_SLICE, key="slice.graphql")
    assert result.transforms == ["code:graphql"]
    kept = result.text.splitlines()
    assert set(heads(OCTOKIT_SLICE)) <= set(kept)
    assert "  repositoryDiscussions(" in kept and "  ): DiscussionConnection!" in kept
    # Each definition says what it lost, in the schema's own comment syntax.
    assert "  # [… 3 description lines omitted]" in kept
    assert not violations(OCTOKIT_SLICE, result.text)


def test_a_query_naming_a_type_keeps_its_descriptions():
    result = compress(SWAPI, query="what does FilmCharactersEdge hold?")
    assert '  """The item at the end of the edge"""' in result.text.splitlines()
    assert "type Film implements Node {" in result.text.splitlines()


def test_a_budget_keeps_the_heads_before_the_fields():
    result = compress(SWAPI, max_tokens=result_tokens(SWAPI) // 2)
    kept = set(result.text.splitlines())
    assert set(heads(SWAPI)) <= kept
    assert not violations(SWAPI, result.text)


def result_tokens(text: str) -> int:
    return compress(text).compressed_tokens


@pytest.mark.parametrize(
    "text",
    [
        # Go declares types with the same keyword; protobuf has enums in braces.
        "package a\n\ntype Point struct {\n\tX int\n}\n\ntype Line struct {\n\tA Point\n}\n",
        'syntax = "proto3";\nenum Kind {\n  A = 0;\n}\nmessage M {\n  Kind k = 1;\n}\n',
        # An executable document: operations, not type definitions.
        "query Q {\n  film(id: 1) {\n    title\n  }\n}\n\ntype T {\n  a: Int\n}\n",
        "type A = {\n  x: number\n}\ntype B = {\n  y: string\n}\n",  # TypeScript
    ],
)
def test_other_languages_are_no_schema(text):
    assert parse_sdl(text) is None
