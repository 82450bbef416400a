// Multi-document YAML splitting: document boundaries, line numbers of errors, and streams on
// which yaml-cpp's own LoadAll never returns.
#include "vigil/detect/sigma/yaml_documents.h"

#include <gtest/gtest.h>

namespace vigil::detect::sigma {
namespace {

TEST(YamlDocumentsTest, SplitsAtMarkerLinesAndKeepsStreamLines) {
  const YamlDocuments out = LoadYamlDocuments("a: 1\n---\nb: 2\n--- \nc: 3\n");
  ASSERT_TRUE(out.errors.empty());
  ASSERT_EQ(out.documents.size(), 3u);
  EXPECT_EQ(out.documents[0].node["a"].as<int>(), 1);
  EXPECT_EQ(out.documents[1].node["b"].as<int>(), 2);
  EXPECT_EQ(out.documents[1].first_line, 2);
  EXPECT_EQ(out.documents[2].node["c"].as<int>(), 3);
  EXPECT_EQ(out.documents[2].index, 2);
}

TEST(YamlDocumentsTest, LeadingMarkerCommentsAndDirectivesDoNotMakeEmptyDocuments) {
  const YamlDocuments out = LoadYamlDocuments("# rule pack\n%YAML 1.2\n---\na: 1\n");
  ASSERT_TRUE(out.errors.empty());
  ASSERT_EQ(out.documents.size(), 1u);
  EXPECT_EQ(out.documents[0].node["a"].as<int>(), 1);
}

TEST(YamlDocumentsTest, DocumentEndMarkerStartsTheNextDocument) {
  const YamlDocuments out = LoadYamlDocuments("a: 1\n...\nb: 2\n");
  ASSERT_EQ(out.documents.size(), 2u);
  EXPECT_EQ(out.documents[1].node["b"].as<int>(), 2);
  EXPECT_EQ(out.documents[1].first_line, 3);
}

TEST(YamlDocumentsTest, MarkersInsideBlockScalarsAreContentNotBoundaries) {
  // Indented `---` is text of the block scalar; only column-0 markers split.
  const YamlDocuments out = LoadYamlDocuments("q: |\n  a\n  ---\n  b\n");
  ASSERT_TRUE(out.errors.empty());
  ASSERT_EQ(out.documents.size(), 1u);
  EXPECT_EQ(out.documents[0].node["q"].as<std::string>(), "a\n---\nb\n");
}

TEST(YamlDocumentsTest, SyntaxErrorCostsOnlyItsDocumentAndNamesTheStreamLine) {
  const YamlDocuments out = LoadYamlDocuments("a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n");
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].index, 1);
  EXPECT_GE(out.errors[0].line, 3);
  ASSERT_EQ(out.documents.size(), 2u);
  EXPECT_EQ(out.documents[1].node["d"].as<int>(), 4);
}

TEST(YamlDocumentsTest, StreamThatHangsYamlCppLoadAllTerminates) {
  // Found by custom_detection_fuzz: YAML::LoadAll (yaml-cpp 0.7) loops forever on this.
  const YamlDocuments out = LoadYamlDocuments(
      ",d: vigil-cd-0002\nname: Burst of failed logons against one account! \n"
      "frequen !)cy: 1H\nseverity: Mediu\nmcategory: CredentialAccess\ntechniques");
  EXPECT_LE(out.documents.size() + out.errors.size(), 1u);
}

}  // namespace
}  // namespace vigil::detect::sigma
