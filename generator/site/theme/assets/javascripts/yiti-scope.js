/* Material for MkDocs' start-up helpers (its partials/javascripts/base.html), as a file so the
   Content-Security-Policy needs no 'unsafe-inline'. Material writes the site root into each page;
   this file sits two folders below the root, so it finds the root from its own address. */
__md_scope=new URL("../..",document.currentScript.src),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}
