#include "test_fixtures.hpp"

namespace routing_core::fixtures {

Gazetteer small_gazetteer() {
    Gazetteer g;
    g.add_unit("330000", Level::province, "", "浙江省", {"浙江"});
    g.add_unit("330200", Level::city, "330000", "宁波市", {"宁波"});
    g.add_unit("330212", Level::county, "330200", "鄞州区", {"鄞州", "江东区"});
    g.add_unit("330203", Level::county, "330200", "海曙区", {"海曙"});
    g.add_unit("330212010", Level::town, "330212", "百丈街道", {"百丈"});
    g.add_unit("330212011", Level::town, "330212", "东柳街道", {"东柳"});
    g.add_unit("330203001", Level::town, "330203", "鼓楼街道", {"鼓楼"});
    g.add_unit("3302120101ea2", Level::community, "330212010", "划船社区", {"划船"});
    g.add_unit("330212010aaaa", Level::community, "330212010", "七五社区", {"七五"});
    g.add_unit("330212011bbbb", Level::community, "330212011", "划船社区", {"划船"});
    g.add_unit("330203001cccc", Level::community, "330203001", "中山社区", {"中山"});
    g.build();
    return g;
}

RuleSet small_rules() {
    RuleSet r;
    r.add_platform("governance", "综治工作");
    r.add_platform("enforcement", "综合执法");
    r.add_platform("market", "市场监管");
    r.add_category("sanitation", "市容环卫", "enforcement", {}, Level::community, 24);
    r.add_category("street_vending", "占道经营", "enforcement", {"market"}, Level::town, 48);
    r.add_category("dispute", "矛盾纠纷", "governance", {}, Level::community, 72);
    r.add_category("consultation", "政策咨询及其他", "governance", {}, Level::grid, 24);
    r.add_term("sanitation", "垃圾", 2.0);
    r.add_term("sanitation", "垃圾桶满溢", 4.0);
    r.add_term("street_vending", "占道经营", 5.0);
    r.add_term("street_vending", "夜宵摊", 3.0);
    r.add_term("dispute", "纠纷", 3.0);
    r.add_term("dispute", "邻里矛盾", 4.0);
    RoutingRuleSpec fire;
    fire.id = "SEV-FIRE";
    fire.terms = {"起火", "火灾"};
    fire.min_level = Level::county;
    fire.deadline_hours = 2;
    r.add_rule(fire);
    r.set_level_hours(Level::grid, 24);
    r.set_level_hours(Level::community, 48);
    r.set_level_hours(Level::town, 72);
    r.set_level_hours(Level::county, 120);
    r.set_level_hours(Level::city, 168);
    r.set_fallback_category("consultation");
    return r;
}

}  // namespace routing_core::fixtures
