package io.etcdpilot.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** README and docs/ link to files and headings that exist, so a moved section is caught here, not by a reader. */
class DocLinksTest {
  @Test
  void everyRelativeLinkOfTheReadmeAndTheDocsResolves() throws Exception {
    List<Path> pages = new ArrayList<>(List.of(DocLinks.ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(DocLinks.ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
    }
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      for (String link : DocLinks.links(page)) {
        String why = DocLinks.broken(page, link);
        if (why != null) broken.add(page.getFileName() + ": " + link + " (" + why + ")");
      }
    }
    assertThat(pages).hasSizeGreaterThanOrEqualTo(4);
    assertThat(broken).isEmpty();
  }

  @Test
  void anchorsFollowGithub() {
    assertThat(DocLinks.anchor("EtcdCluster reference (`etcdpilot.io/v1alpha1`)"))
        .isEqualTo("etcdcluster-reference-etcdpilotiov1alpha1");
    assertThat(DocLinks.anchor("etcdMembersDown")).isEqualTo("etcdmembersdown");
  }
}
